// relay/src/app/commands/commands.hpp: the WebSocket commands, as a table of handlers.
//
// Loop thread only. Each command of parley::Command has one handler (one function, in the file
// of its group: session.cpp, customer.cpp, messages.cpp, staff.cpp) and one row in the table
// (table.cpp) that says who may send it (customers, staff, either) and whether it needs a socket
// (hello, join, leave, typing, seen). The dispatcher checks those before the handler runs, so a
// handler only does its own job. Every handler answers `ack` exactly once: at once for reads
// and refusals, after the commit for changes (live/write_pipeline.hpp).
#pragma once

#include <string>

#include "app/live/write_pipeline.hpp"
#include "parley/protocol.hpp"

namespace parley::relay {

struct HubState;
struct ConnState;
struct Principal;

// One decoded frame from a connection: rate bucket, decoding, dispatch, the ack frame.
void on_frame(HubState& hub, ConnState& conn, std::string text);
// Runs `cmd` as `who` (conn is null for REST). Checks the table's rules first.
void execute(HubState& hub, const Principal& who, ConnState* conn, Command cmd, AckFn ack);

// Helpers for assistant and bridge code (same rules as the commands).
// bot -> pending without an assignee, summary as the assistant's.
void queue_handoff(HubState& hub, ConvState& cs, const Actor& by, const std::string& reason, AckFn ack);

}  // namespace parley::relay
