// relay/src/app/assistant/runner.hpp: the assistant's turns (implemented in runner.cpp, declared
// for the command handlers in app/commands/handlers.hpp as cmd::assistant_turn).
//
// After a customer message to a conversation answered by the built-in assistant has committed,
// assistant_turn() tags the turn (ConvState::assistant_turns) and asks the Assistant. Its reply,
// whenever and on whichever thread it comes, is posted to the loop and applied strictly in tag
// order through the write pipeline, which re-checks that the conversation is still with the
// assistant (an agent may have taken over meanwhile).
#pragma once
#include "app/commands/handlers.hpp"
