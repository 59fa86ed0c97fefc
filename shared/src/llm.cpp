// LLM provider wire formats, retries, hybrid routing and tools (parley/llm.hpp).
#include "parley/llm.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "json_io.hpp"
#include "parley/text.hpp"
#include "parley/words.hpp"

namespace parley::llm {
namespace {

// Exception-free member access: nullptr unless `j` is an object with that member.
const Json* get(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}
std::string str(const Json& j, const char* key) {
  const Json* v = get(j, key);
  return v && v->is_string() ? v->get<std::string>() : std::string{};
}
std::int64_t num(const Json& j, const char* key) {
  const Json* v = get(j, key);
  if (!v) return 0;
  if (v->is_number_unsigned()) return static_cast<std::int64_t>(v->get<std::uint64_t>());
  if (v->is_number_integer()) return v->get<std::int64_t>();
  return 0;
}
// The first `max` code points of s (valid UTF-8 assumed; bytes past the cut dropped).
std::string cut(std::string s, std::size_t max) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == max) return s.substr(0, i);
      ++count;
    }
  }
  return s;
}
// Arguments as the JSON text the model meant: strings as given, anything else dumped.
std::string arguments_text(const Json* a) {
  if (!a || a->is_null()) return {};
  if (a->is_string()) return a->get<std::string>();
  return json_io::dump(*a);
}

}  // namespace

// ---- SSE ----

void SseSplitter::dispatch(std::vector<SseEvent>& out) {
  if (has_data_) {
    SseEvent e;
    e.event = std::move(event_);
    e.data = std::move(data_);
    e.done = e.data == "[DONE]";
    out.push_back(std::move(e));
  }
  event_.clear();
  data_.clear();
  has_data_ = false;
}

void SseSplitter::line(std::string_view l, std::vector<SseEvent>& out) {
  if (l.empty()) {
    dispatch(out);
    return;
  }
  if (l.front() == ':') return;  // comment
  const std::size_t colon = l.find(':');
  std::string_view field = l.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) data_ += '\n';
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.assign(value);
  }  // id, retry and unknown fields: not needed here
}

std::vector<SseEvent> SseSplitter::feed(std::string_view piece) {
  std::vector<SseEvent> out;
  for (char ch : piece) {
    if (ch == '\n') {
      if (last_cr_) {  // the '\n' of a "\r\n" whose '\r' already ended the line
        last_cr_ = false;
        continue;
      }
      line(line_, out);
      line_.clear();
    } else if (ch == '\r') {
      line(line_, out);
      line_.clear();
      last_cr_ = true;
      continue;
    } else {
      line_ += ch;
    }
    last_cr_ = false;
  }
  return out;
}

std::vector<SseEvent> SseSplitter::finish() {
  std::vector<SseEvent> out;
  if (!line_.empty()) {
    line(line_, out);
    line_.clear();
  }
  dispatch(out);
  return out;
}

// ---- messages ----

std::string_view to_string(ChatRole r) {
  switch (r) {
    case ChatRole::system: return "system";
    case ChatRole::user: return "user";
    case ChatRole::assistant: return "assistant";
    case ChatRole::tool: return "tool";
  }
  return "user";
}

std::string openai_request_body(const ChatRequest& req) {
  Json j = Json::object();
  j["model"] = req.model;
  Json messages = Json::array();
  for (const ChatMessage& m : req.messages) {
    Json o = Json::object();
    o["role"] = std::string(to_string(m.role));
    if (m.role == ChatRole::assistant && !m.tool_calls.empty()) {
      o["content"] = m.content.empty() ? Json(nullptr) : Json(m.content);
      Json calls = Json::array();
      for (const ToolCall& c : m.tool_calls) {
        calls.push_back(Json{{"id", c.id},
                             {"type", "function"},
                             {"function", Json{{"name", c.name}, {"arguments", c.arguments}}}});
      }
      o["tool_calls"] = std::move(calls);
    } else {
      o["content"] = m.content;
    }
    if (m.role == ChatRole::tool) o["tool_call_id"] = m.tool_call_id;
    messages.push_back(std::move(o));
  }
  j["messages"] = std::move(messages);
  if (!req.tools.empty()) {
    Json tools = Json::array();
    for (const ToolSpec& t : req.tools) {
      tools.push_back(Json{{"type", "function"},
                           {"function", Json{{"name", t.name}, {"description", t.description},
                                             {"parameters", t.parameters}}}});
    }
    j["tools"] = std::move(tools);
    j["tool_choice"] = "auto";
  }
  if (req.temperature) j["temperature"] = *req.temperature;
  if (req.max_tokens > 0) j["max_tokens"] = req.max_tokens;
  if (req.stream) {
    j["stream"] = true;
    j["stream_options"] = Json{{"include_usage", true}};
  }
  return json_io::dump(j);
}

std::string openai_chat_url(std::string_view base_url) {
  std::string base(base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0) return base + "/chat/completions";
  return base + "/v1/chat/completions";
}

Result<ChatResponse> parse_openai_response(std::string_view body) {
  const std::optional<Json> parsed = json_io::parse(body);
  if (!parsed || !parsed->is_object()) return make_error(ErrorCode::bad_json, "the answer is not a JSON object");
  const Json& j = *parsed;
  const Json* choices = get(j, "choices");
  if (!choices || !choices->is_array() || choices->empty()) {
    return make_error(ErrorCode::bad_field, "the answer has no choices", "choices");
  }
  const Json& choice = (*choices)[0];
  const Json* message = get(choice, "message");
  if (!message || !message->is_object()) {
    return make_error(ErrorCode::bad_field, "the answer has no message", "choices[0].message");
  }
  ChatResponse r;
  r.text = str(*message, "content");
  r.finish_reason = str(choice, "finish_reason");
  r.model = str(j, "model");
  if (const Json* calls = get(*message, "tool_calls"); calls && calls->is_array()) {
    for (const Json& c : *calls) {
      const Json* fn = get(c, "function");
      if (!fn) continue;
      ToolCall call{str(c, "id"), str(*fn, "name"), arguments_text(get(*fn, "arguments"))};
      if (call.name.empty()) continue;
      r.tool_calls.push_back(std::move(call));
    }
  }
  if (const Json* u = get(j, "usage")) {
    r.usage.prompt_tokens = num(*u, "prompt_tokens");
    r.usage.completion_tokens = num(*u, "completion_tokens");
  }
  return r;
}

std::string OpenAiStream::feed(std::string_view data) {
  const std::optional<Json> parsed = json_io::parse(data);
  if (!parsed || !parsed->is_object()) {
    ++bad_chunks_;
    return {};
  }
  const Json& j = *parsed;
  if (const Json* e = get(j, "error")) {
    stream_error_ = e->is_object() ? cut(str(*e, "message"), 300) : std::string("error");
    return {};
  }
  if (model_.empty()) model_ = str(j, "model");
  if (const Json* u = get(j, "usage"); u && u->is_object()) {
    usage_.prompt_tokens = num(*u, "prompt_tokens");
    usage_.completion_tokens = num(*u, "completion_tokens");
  }
  std::string added;
  const Json* choices = get(j, "choices");
  if (!choices || !choices->is_array()) return added;
  for (const Json& choice : *choices) {
    if (const std::string fr = str(choice, "finish_reason"); !fr.empty()) finish_reason_ = fr;
    const Json* delta = get(choice, "delta");
    if (!delta) continue;
    const std::string content = str(*delta, "content");
    text_ += content;
    added += content;
    const Json* calls = get(*delta, "tool_calls");
    if (!calls || !calls->is_array()) continue;
    for (const Json& c : *calls) {
      const std::int64_t index = get(c, "index") ? num(c, "index") : static_cast<std::int64_t>(calls_.size());
      auto it = std::find_if(calls_.begin(), calls_.end(), [&](const Partial& p) { return p.index == index; });
      if (it == calls_.end()) {
        calls_.push_back(Partial{index, {}});
        it = calls_.end() - 1;
      }
      if (const std::string id = str(c, "id"); !id.empty() && it->call.id.empty()) it->call.id = id;
      if (const Json* fn = get(c, "function")) {
        if (const std::string name = str(*fn, "name"); !name.empty() && it->call.name.empty()) it->call.name = name;
        it->call.arguments += arguments_text(get(*fn, "arguments"));
      }
    }
  }
  return added;
}

ChatResponse OpenAiStream::finish() const {
  ChatResponse r;
  r.text = text_;
  r.finish_reason = finish_reason_;
  r.usage = usage_;
  r.model = model_;
  std::vector<Partial> sorted = calls_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Partial& a, const Partial& b) { return a.index < b.index; });
  for (Partial& p : sorted) {
    if (p.call.name.empty()) continue;
    r.tool_calls.push_back(std::move(p.call));
  }
  return r;
}

// ---- errors and retries ----

ProviderError parse_error_body(int status, std::string_view body) {
  ProviderError e;
  e.status = status;
  const std::optional<Json> parsed = json_io::parse(body);
  if (!parsed) return e;
  const Json* err = get(*parsed, "error");
  if (!err || !err->is_object()) return e;
  e.message = cut(str(*err, "message"), 300);
  e.type = str(*err, "type");
  if (e.type.empty()) e.type = str(*err, "status");  // Gemini
  if (const Json* code = get(*err, "code")) {
    if (code->is_string()) e.code = code->get<std::string>();
    else if (code->is_number_integer() || code->is_number_unsigned()) e.code = std::to_string(num(*err, "code"));
  }
  return e;
}

std::string_view to_string(FailureKind k) {
  switch (k) {
    case FailureKind::none: return "none";
    case FailureKind::rate_limited: return "rate_limited";
    case FailureKind::over_quota: return "over_quota";
    case FailureKind::server: return "server";
    case FailureKind::client: return "client";
    case FailureKind::network: return "network";
    case FailureKind::timeout: return "timeout";
    case FailureKind::refused: return "refused";
  }
  return "none";
}

namespace {
// Retry-After as milliseconds: non-negative decimal seconds only; nullopt otherwise.
std::optional<Millis> retry_after_ms(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty() || v.size() > 12) return std::nullopt;
  double whole = 0, frac = 0, scale = 1;
  bool dot = false, digits = false;
  for (char c : v) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      digits = true;
      if (dot) {
        scale /= 10;
        frac += (c - '0') * scale;
      } else {
        whole = whole * 10 + (c - '0');
      }
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  return static_cast<Millis>(std::llround((whole + frac) * 1000.0));
}
bool quota_error(const ProviderError& e) {
  return e.code == "insufficient_quota" || e.type == "insufficient_quota" || e.code == "billing_hard_limit_reached" ||
         e.type == "billing_error";
}
}  // namespace

RetryAdvice advise_retry(Transport transport, int status, std::string_view body, std::string_view retry_after,
                         int attempt, double jitter, const RetryPolicy& policy) {
  RetryAdvice a;
  switch (transport) {
    case Transport::not_sent: a.kind = FailureKind::network; break;
    case Transport::timed_out: a.kind = FailureKind::timeout; break;
    case Transport::refused: a.kind = FailureKind::refused; break;
    case Transport::too_large: a.kind = FailureKind::client; break;
    case Transport::answered:
      if (status >= 200 && status < 300) {
        a.kind = FailureKind::none;
      } else if (status == 429) {
        a.kind = quota_error(parse_error_body(status, body)) ? FailureKind::over_quota : FailureKind::rate_limited;
      } else if (status == 529) {
        a.kind = FailureKind::rate_limited;  // Anthropic: overloaded
      } else if (status >= 500) {
        a.kind = FailureKind::server;
      } else if (status == 408) {
        a.kind = FailureKind::server;  // the server gave up waiting for us: like a 5xx
      } else {
        a.kind = FailureKind::client;
      }
      break;
  }
  const bool retryable =
      a.kind == FailureKind::rate_limited || a.kind == FailureKind::server || a.kind == FailureKind::network;
  if (!retryable || attempt >= policy.max_attempts) return a;
  const double j = std::clamp(jitter, 0.0, 0.999999);
  const int shift = std::clamp(attempt - 1, 0, 30);
  const double base = std::min(static_cast<double>(policy.max_delay_ms),
                               static_cast<double>(policy.base_delay_ms) * std::pow(2.0, shift));
  Millis delay = static_cast<Millis>(base * (0.5 + j / 2));
  if (const auto ra = retry_after_ms(retry_after)) {
    if (*ra > policy.max_retry_after_ms) return a;  // the provider asks for more patience than we have
    delay = std::max(delay, *ra);
  }
  a.retry = true;
  a.delay_ms = delay;
  return a;
}

// ---- hybrid routing ----

std::string_view to_string(ModelTier t) { return t == ModelTier::cheap ? "cheap" : "strong"; }

namespace {
// Folded words (parley/words.hpp: lower case, accents folded) that need thought, in five languages.
constexpr std::string_view kWords[] = {
    "why", "explain", "compare", "difference", "refund", "cancel", "complaint", "complain", "wrong",
    "error", "broken", "charged", "dispute", "porque", "explicar", "reembolso", "cancelar", "queja",
    "error", "roto", "funciona", "pourquoi", "expliquer", "remboursement", "annuler", "plainte", "panne",
    "marche", "warum", "erklaren", "erstattung", "kundigen", "beschwerde", "fehler", "kaputt",
    "funktioniert", "por", "reclamacao", "estorno", "cancelar", "quebrado", "funcionando"};
// Two-word phrases (folded) that need thought.
constexpr std::pair<std::string_view, std::string_view> kPhrases[] = {
    {"not", "working"}, {"doesn", "t"}, {"doesnt", "work"}, {"isn", "t"}, {"does", "not"}};

int sentences(std::string_view text) {
  int n = 0;
  bool in_sentence = false;
  for (char c : text) {
    if (c == '.' || c == '!' || c == '?') {
      if (in_sentence) ++n;
      in_sentence = false;
    } else if (c != ' ' && c != '\n' && c != '\t') {
      in_sentence = true;
    }
  }
  return n + (in_sentence ? 1 : 0);
}
}  // namespace

RouteDecision route_message(std::string_view text, int customer_messages, bool previous_turn_used_tools) {
  auto strong = [](std::string reason) { return RouteDecision{ModelTier::strong, std::move(reason)}; };
  if (count_code_points(text) > 240 || sentences(text) > 2) return strong("long");
  if (std::count(text.begin(), text.end(), '?') >= 2) return strong("questions");
  int run = 0;
  for (char c : text) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 4) return strong("number");
  }
  const std::vector<std::string> words = fold_words(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    for (std::string_view w : kWords) {
      // "por que" / "por qué" (Spanish, Portuguese "why") is the pair, not "por" alone.
      if (w == "por") {
        if (words[i] == "por" && i + 1 < words.size() && words[i + 1] == "que") return strong("word:por que");
        continue;
      }
      if (words[i] == w) return strong("word:" + words[i]);
    }
    if (i + 1 < words.size()) {
      for (const auto& [a, b] : kPhrases) {
        if (words[i] == a && words[i + 1] == b) return strong("word:" + words[i] + " " + words[i + 1]);
      }
    }
  }
  if (customer_messages > 4) return strong("long_chat");
  if (previous_turn_used_tools) return strong("after_tool");
  return RouteDecision{ModelTier::cheap, "simple"};
}

// ---- tools ----

namespace {
Json string_prop(const char* description, int max_length) {
  return Json{{"type", "string"}, {"description", description}, {"maxLength", max_length}};
}
Json priority_prop() {
  return Json{{"type", "string"},
              {"enum", Json::array({"low", "normal", "high", "urgent"})},
              {"description", "How urgent it is for the customer (default normal)."}};
}
Json object_schema(Json properties, Json required) {
  return Json{{"type", "object"},
              {"properties", std::move(properties)},
              {"required", std::move(required)},
              {"additionalProperties", false}};
}

struct ArgRule {
  const char* name;
  bool required;
  std::size_t max_chars;  // 0: the priority enum
};
struct ToolRules {
  const char* tool;
  std::vector<ArgRule> args;
};
const std::vector<ToolRules>& tool_rules() {
  static const std::vector<ToolRules> rules = {
      {kToolSearchKb, {{"query", true, 500}}},
      {kToolTransfer, {{"reason", true, 500}, {"priority", false, 0}}},
      {kToolCreateTicket, {{"title", true, 200}, {"description", true, 5000}, {"priority", false, 0}}},
      {kToolLookupTicket, {{"ticket_id", true, 64}}},
      {kToolAccountInfo, {}},
  };
  return rules;
}
}  // namespace

const std::vector<ToolSpec>& assistant_tools() {
  static const std::vector<ToolSpec> tools = {
      {kToolSearchKb, "Search the organisation's knowledge base. Returns the best matching articles.",
       object_schema(Json{{"query", string_prop("What to look for, in the customer's words.", 500)}},
                     Json::array({"query"}))},
      {kToolTransfer,
       "Hand the conversation to a person on the team. Use when the customer asks for a person, is upset, "
       "or you cannot help.",
       object_schema(Json{{"reason", string_prop("Why a person is needed, for the agent.", 500)},
                          {"priority", priority_prop()}},
                     Json::array({"reason"}))},
      {kToolCreateTicket, "Open a support ticket for this customer, to be followed up later by the team.",
       object_schema(Json{{"title", string_prop("A short title.", 200)},
                          {"description", string_prop("What the customer needs, with the details given.", 5000)},
                          {"priority", priority_prop()}},
                     Json::array({"title", "description"}))},
      {kToolLookupTicket,
       "Look up one of this customer's own tickets by its id. Only works when the customer is verified.",
       object_schema(Json{{"ticket_id", string_prop("The ticket's id.", 64)}}, Json::array({"ticket_id"}))},
      {kToolAccountInfo,
       "The customer's account details (name, e-mail, channel and account metadata). Only works when the "
       "customer is verified.",
       object_schema(Json::object(), Json::array())},
  };
  return tools;
}

Result<Json> validate_tool_arguments(std::string_view name, std::string_view arguments) {
  const auto& rules = tool_rules();
  const auto rule = std::find_if(rules.begin(), rules.end(), [&](const ToolRules& r) { return name == r.tool; });
  if (rule == rules.end()) {
    return make_error(ErrorCode::not_found, "unknown tool \"" + cut(std::string(name), 64) + "\"");
  }
  std::string_view trimmed = arguments;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\n' || trimmed.front() == '\t' ||
                              trimmed.front() == '\r'))
    trimmed.remove_prefix(1);
  Json args = Json::object();
  if (!trimmed.empty()) {
    std::optional<Json> parsed = json_io::parse(trimmed);
    if (!parsed || !parsed->is_object()) {
      return make_error(ErrorCode::bad_json, "the arguments must be a JSON object");
    }
    args = std::move(*parsed);
  }
  for (auto it = args.begin(); it != args.end(); ++it) {
    const bool known = std::any_of(rule->args.begin(), rule->args.end(),
                                   [&](const ArgRule& a) { return it.key() == a.name; });
    if (!known) return make_error(ErrorCode::bad_field, "unknown argument \"" + cut(it.key(), 64) + "\"", it.key());
  }
  Json out = Json::object();
  json_io::ObjectReader reader(args);
  for (const ArgRule& a : rule->args) {
    const auto need = a.required ? json_io::Need::required : json_io::Need::optional;
    if (a.max_chars == 0) {
      const std::string p = reader.text(a.name, need, 16);
      if (reader.failed()) break;
      if (p.empty()) {
        out[a.name] = "normal";
      } else if (!parse_priority(p)) {
        return make_error(ErrorCode::bad_field, "priority must be low, normal, high or urgent", a.name);
      } else {
        out[a.name] = p;
      }
      continue;
    }
    const std::string v = reader.text(a.name, need, a.max_chars);
    if (reader.failed()) break;
    if (a.required && v.find_first_not_of(" \t\r\n") == std::string::npos) {
      return make_error(ErrorCode::bad_field, std::string(a.name) + " must not be empty", a.name);
    }
    if (!v.empty() || a.required) out[a.name] = v;
  }
  if (reader.failed()) return *reader.error();
  return out;
}

std::string tool_error_content(const Error& e) {
  Json err = Json{{"code", std::string(to_string(e.code))}, {"message", e.message}};
  if (!e.field.empty()) err["field"] = e.field;
  return json_io::dump(Json{{"error", std::move(err)}});
}

}  // namespace parley::llm
