// relay/src/store/repo_tickets.hpp: tickets and blocks, tables tickets and blocks (schema v12;
// issue 9). Internal to relay/src/store. Writer-thread functions take the writer's Db; readers
// their own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/store_api.hpp"
#include "store/db.hpp"

namespace parley::relay {

std::optional<Error> insert_ticket(Db& db, const Ticket& t);
std::optional<Error> update_ticket(Db& db, const Ticket& t);
std::optional<Error> insert_block(Db& db, const Block& b);
std::optional<Error> lift_block(Db& db, const LiftBlock& m);

Result<std::optional<Ticket>> find_ticket(Db& db, const std::string& tenant_id, const std::string& id);
Result<std::optional<Ticket>> find_conversation_ticket(Db& db, const std::string& tenant_id,
                                                       const std::string& conversation_id);
Result<TicketPage> list_tickets(Db& db, const std::string& tenant_id, const TicketQuery& q);
Result<std::vector<Ticket>> contact_tickets(Db& db, const std::string& tenant_id, const std::string& contact_id,
                                            std::size_t limit);
Result<std::vector<Block>> load_blocks(Db& db);
Result<std::vector<Block>> list_blocks(Db& db, const std::string& tenant_id, std::size_t limit);
Result<std::optional<Block>> find_block(Db& db, const std::string& tenant_id, const std::string& id);

}  // namespace parley::relay
