// tools/llm_standin: an OpenAI-compatible chat-completions server on loopback, scriptable per test
// (issue 10). The relay's provider code talks to it exactly as to the real service.
//
//   llm_standin --port-file PATH [--port N]
//
// Endpoints:
//   POST /v1/chat/completions  answers with the next scripted step (or a default text reply),
//                              as SSE when the request says "stream": true, else one JSON body.
//   POST /_script              {"steps":[STEP, ...]} appended to the script.
//   POST /_reset               empties the script and the request log.
//   GET  /_requests            [{"authorization": "...", "body": {...}}, ...] every chat request seen.
// A STEP: {"text": "...", "tool_calls": [{"name", "arguments" (a string, sent as is), "id"?}],
//          "status": 200, "error": {...} (the error body for a non-200 status), "retry_after": "1",
//          "hang_ms": N (wait before answering), "chunk_delay_ms": N (between stream chunks, default 10),
//          "usage": {"prompt_tokens", "completion_tokens"} (default 10 and the text's length / 4)}
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

using Json = nlohmann::json;

namespace {

std::mutex mu;
std::deque<Json> script;
Json requests = Json::array();

Json next_step() {
  std::lock_guard<std::mutex> lock(mu);
  if (script.empty()) return Json{{"text", "Hello from the stand-in."}};
  Json s = script.front();
  script.pop_front();
  return s;
}

Json usage_of(const Json& step) {
  if (step.contains("usage")) return step["usage"];
  const std::string text = step.value("text", std::string());
  return Json{{"prompt_tokens", 10}, {"completion_tokens", static_cast<int>(text.size() / 4 + 1)}};
}

std::string chunk(const Json& delta, const Json& finish = nullptr) {
  Json c{{"id", "chatcmpl-standin"}, {"object", "chat.completion.chunk"}, {"model", "standin-model"},
         {"choices", Json::array({Json{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}};
  return "data: " + c.dump() + "\n\n";
}

void handle_chat(const httplib::Request& req, httplib::Response& res) {
  Json body = Json::parse(req.body, nullptr, false);
  {
    std::lock_guard<std::mutex> lock(mu);
    requests.push_back(Json{{"authorization", req.get_header_value("Authorization")},
                            {"body", body.is_discarded() ? Json(req.body) : body}});
  }
  Json step = next_step();
  if (const int hang = step.value("hang_ms", 0); hang > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hang));
  const int status = step.value("status", 200);
  if (status != 200) {
    res.status = status;
    if (step.contains("retry_after")) res.set_header("Retry-After", step["retry_after"].get<std::string>());
    const Json err = step.contains("error") ? step["error"] : Json{{"error", {{"message", "stand-in error"}, {"type", "server_error"}}}};
    res.set_content(err.dump(), "application/json");
    return;
  }
  const std::string text = step.value("text", std::string());
  Json calls = Json::array();
  int n = 0;
  for (const Json& c : step.value("tool_calls", Json::array())) {
    calls.push_back(Json{{"id", c.value("id", "call_" + std::to_string(++n))},
                         {"type", "function"},
                         {"function", {{"name", c.value("name", std::string())}, {"arguments", c.value("arguments", std::string("{}"))}}}});
  }
  const std::string finish = calls.empty() ? "stop" : "tool_calls";
  const bool stream = body.is_object() && body.value("stream", false);
  if (!stream) {
    Json message{{"role", "assistant"}, {"content", text.empty() && !calls.empty() ? Json(nullptr) : Json(text)}};
    if (!calls.empty()) message["tool_calls"] = calls;
    Json out{{"id", "chatcmpl-standin"}, {"object", "chat.completion"}, {"model", "standin-model"},
             {"choices", Json::array({Json{{"index", 0}, {"message", message}, {"finish_reason", finish}}})},
             {"usage", usage_of(step)}};
    res.set_content(out.dump(), "application/json");
    return;
  }
  // The stream: the text in pieces of a few characters, tool calls in fragments joined by index.
  std::vector<std::string> chunks;
  chunks.push_back(chunk(Json{{"role", "assistant"}, {"content", ""}}));
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = std::min<std::size_t>(6, text.size() - i);
    while (i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) ++len;  // whole UTF-8
    chunks.push_back(chunk(Json{{"content", text.substr(i, len)}}));
    i += len;
  }
  for (std::size_t k = 0; k < calls.size(); ++k) {
    const std::string args = calls[k]["function"]["arguments"].get<std::string>();
    const std::size_t half = args.size() / 2;
    chunks.push_back(chunk(Json{{"tool_calls", Json::array({Json{{"index", k}, {"id", calls[k]["id"]}, {"type", "function"},
                                                                   {"function", {{"name", calls[k]["function"]["name"]}, {"arguments", args.substr(0, half)}}}}})}}));
    chunks.push_back(chunk(Json{{"tool_calls", Json::array({Json{{"index", k}, {"function", {{"arguments", args.substr(half)}}}}})}}));
  }
  chunks.push_back(chunk(Json::object(), finish));
  Json last{{"id", "chatcmpl-standin"}, {"object", "chat.completion.chunk"}, {"choices", Json::array()}, {"usage", usage_of(step)}};
  chunks.push_back("data: " + last.dump() + "\n\n");
  chunks.push_back("data: [DONE]\n\n");
  const int delay = step.value("chunk_delay_ms", 10);
  const int die_after = step.value("die_after_chunks", -1);  // close mid-stream (no [DONE])
  auto shared = std::make_shared<std::vector<std::string>>(std::move(chunks));
  auto at = std::make_shared<std::size_t>(0);
  res.set_chunked_content_provider("text/event-stream", [shared, at, delay, die_after](std::size_t, httplib::DataSink& sink) {
    if (*at >= shared->size() || (die_after >= 0 && static_cast<int>(*at) >= die_after)) {
      if (die_after >= 0) return false;  // abort the connection
      sink.done();
      return true;
    }
    if (*at > 0 && delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    const std::string& c = (*shared)[(*at)++];
    return sink.write(c.data(), c.size());
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::string port_file;
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--port-file") port_file = argv[i + 1];
    else if (a == "--port") port = std::stoi(argv[i + 1]);
  }
  httplib::Server server;
  server.Post("/v1/chat/completions", handle_chat);
  server.Post("/_script", [](const httplib::Request& req, httplib::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("steps") || !body["steps"].is_array()) {
      res.status = 400;
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    for (const Json& s : body["steps"]) script.push_back(s);
    res.set_content("{}", "application/json");
  });
  server.Post("/_reset", [](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    script.clear();
    requests = Json::array();
    res.set_content("{}", "application/json");
  });
  server.Get("/_requests", [](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    res.set_content(requests.dump(), "application/json");
  });
  const int bound = port > 0 ? (server.bind_to_port("127.0.0.1", port) ? port : -1) : server.bind_to_any_port("127.0.0.1");
  if (bound <= 0) {
    std::cerr << "llm_standin: cannot bind\n";
    return 1;
  }
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << bound;
    std::rename(tmp.c_str(), port_file.c_str());
  }
  std::cerr << "llm_standin on 127.0.0.1:" << bound << "\n";
  server.listen_after_bind();
  return 0;
}
