// dashboard.watch (issue 9): a supervisor's or admin's socket starts or stops receiving the live
// dashboard (live/dashboard.hpp). Agents are refused: the dashboard shows every agent's figures.
#include "app/commands/handlers.hpp"

namespace parley::relay::cmd {

void dashboard_watch(HubState& hub, const Principal& who, ConnState* conn, const DashboardWatch& w, AckFn ack) {
  if (who.staff.user.role == StaffRole::agent) {
    return ack(make_error(ErrorCode::forbidden, "the dashboard is for supervisors and admins"));
  }
  hub.dashboard.watch(*conn, w.watch);
  if (!w.watch) return ack(Json{{"watch", false}});
  ack(Json{{"watch", true}, {"dashboard", to_json(hub.dashboard.build(who.tenant_id))}});
}

}  // namespace parley::relay::cmd
