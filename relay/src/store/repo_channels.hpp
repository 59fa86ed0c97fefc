// relay/src/store/repo_channels.hpp: the channel tables of schema v14 (issue 11): webhook_inbox,
// channel_accounts, delivery_statuses, outbox. Internal to relay/src/store. Writer-thread
// functions take the writer's Db; readers their own. Every statement binds its parameters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/store_api.hpp"
#include "store/db.hpp"

namespace parley::relay {

std::optional<Error> insert_webhook(Db& db, const WebhookRecord& r);
std::optional<Error> mark_webhook_processed(Db& db, const MarkWebhookProcessed& m);
std::optional<Error> save_channel_account(Db& db, const ChannelAccount& a);
std::optional<Error> insert_delivery_status(Db& db, const DeliveryStatus& s);
std::optional<Error> insert_outbox_job(Db& db, const OutboxJob& j);
std::optional<Error> update_outbox_job(Db& db, const OutboxJob& j);
std::optional<Error> set_outbox_delivery(Db& db, const SetOutboxDelivery& m);

Result<std::vector<WebhookRecord>> unprocessed_webhooks(Db& db, std::size_t limit);
Result<std::optional<WebhookRecord>> find_webhook(Db& db, const std::string& id);
Result<std::vector<ChannelAccount>> channel_accounts(Db& db, const std::string& provider);
Result<std::vector<OutboxJob>> open_outbox_jobs(Db& db);
Result<std::optional<OutboxJob>> find_outbox_by_provider_id(Db& db, const std::string& channel,
                                                            const std::string& provider_id);
Result<std::vector<OutboxJob>> conversation_outbox(Db& db, const std::string& tenant_id,
                                                   const std::string& conversation_id);
Result<std::vector<DeliveryStatus>> delivery_statuses(Db& db, const std::string& tenant_id,
                                                      const std::string& provider_id);
Result<Millis> last_customer_message_at(Db& db, const std::string& tenant_id, const std::string& contact_id,
                                        Channel channel);

}  // namespace parley::relay
