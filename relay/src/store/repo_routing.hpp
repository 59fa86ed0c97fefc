// relay/src/store/repo_routing.hpp: the routing tables of migration v6 (routing_settings, teams,
// agent_profiles). Writers run on the store's writer thread inside a Store op; readers on any
// thread with its own connection. Every statement filters by tenant (rule 6). No exceptions.
#pragma once

#include <optional>
#include <string>

#include "domain/routing_types.hpp"
#include "store/db.hpp"

namespace parley::relay {

std::optional<Error> save_routing_settings(Db&, const std::string& tenant_id, const RoutingSettings&,
                                           Millis at);
std::optional<Error> save_team(Db&, const Team&);
// not_found when the user is not one of the tenant's.
std::optional<Error> save_agent_profile(Db&, const AgentProfile&);
Result<RoutingConfig> load_routing(Db&, const std::string& tenant_id);

}  // namespace parley::relay
