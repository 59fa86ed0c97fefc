// The LLM assistant's turns, tools, drafts, usage and settings (llm_service.hpp).
#include "app/assistant/llm_service.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cmath>
#include <future>
#include <mutex>

#include "app/hub_state.hpp"
#include "app/tickets/tickets.hpp"
#include "core/log.hpp"
#include "parley/assistant_rules.hpp"
#include "parley/kb_search.hpp"
#include "parley/text.hpp"
#include "parley/tickets.hpp"
#include "store/auth.hpp"

namespace parley::relay {

namespace asio = boost::asio;

namespace {

constexpr const char* kFallbackText =
    "I'm sorry, I can't answer that right now. I'm passing you to a member of our team, who will reply "
    "here as soon as they can.";
constexpr const char* kConnectingText =
    "I'm connecting you with a member of our team. Someone will be with you shortly.";
constexpr std::size_t kMaxReplyChars = 3500;  // under the protocol's 4000 code points per message
constexpr std::size_t kTranscriptMessages = 30;

// Until DESIGN.md's verified identity (the host site's HMAC-signed user id) is built, no contact is
// verified: account and ticket tools refuse everyone, as the issue asks.
bool contact_verified(const Contact&) { return false; }

std::string cut_chars(const std::string& s, std::size_t max) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == max) return s.substr(0, i);
      ++count;
    }
  }
  return s;
}

Millis month_start(Millis now) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(now)));
  const year_month_day ymd(day);
  const sys_days first = sys_days(ymd.year() / ymd.month() / 1);
  return duration_cast<milliseconds>(first.time_since_epoch()).count();
}

std::string json_dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json tool_error(ErrorCode code, const std::string& message) {
  return Json{{"error", Json{{"code", std::string(to_string(code))}, {"message", message}}}};
}

}  // namespace

// Everything a turn needs, copied on the loop thread; the worker owns it.
struct LlmService::Job {
  std::string tenant_id, conv_id, contact_id, draft_id;
  std::uint64_t turn = 0;
  Seq head_seq = 0;
  LlmSettings settings;
  std::string assistant_name;
  std::string text;
  int customer_messages = 0;
  bool after_tool = false;
  std::string kb_context;  // the best passages for the message
  std::vector<std::string> recent_customer, tried_titles;
  std::function<void(Assistant::Reply)> done;
  // Filled by the tools (loop thread writes, the worker reads after the tool's answer came).
  std::mutex mu;
  bool transfer = false;
  std::string transfer_reason;
  std::optional<Priority> transfer_priority;
};

Result<LlmSettings> apply_llm_patch(LlmSettings s, const Json& patch, const UrlPolicy& policy) {
  if (!patch.is_object()) return make_error(ErrorCode::bad_json, "the body must be a JSON object");
  static const char* kKnown[] = {"provider", "base_url", "model", "cheap_model", "api_key", "temperature",
                                 "max_tokens", "monthly_budget_usd", "input_usd_per_mtok", "output_usd_per_mtok"};
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (std::find_if(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return it.key() == k; }) ==
        std::end(kKnown)) {
      return make_error(ErrorCode::bad_field, "unknown field \"" + cut_chars(it.key(), 64) + "\"", it.key());
    }
  }
  auto text = [&](const char* key, std::size_t max, std::string& out) -> std::optional<Error> {
    const auto it = patch.find(key);
    if (it == patch.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) return make_error(ErrorCode::bad_field, std::string(key) + " must be a string", key);
    const std::string& v = it->get_ref<const std::string&>();
    if (!is_valid_utf8(v)) return make_error(ErrorCode::bad_unicode, std::string(key) + " is not valid UTF-8", key);
    if (count_code_points(v) > max) {
      return make_error(ErrorCode::text_too_long, std::string(key) + " is longer than " + std::to_string(max) +
                                                      " characters", key);
    }
    for (unsigned char c : v) {
      if (c < 0x20 || c == 0x7f) return make_error(ErrorCode::bad_field, std::string(key) + " has control characters", key);
    }
    out = v;
    return std::nullopt;
  };
  auto number = [&](const char* key, double lo, double hi, double& out) -> std::optional<Error> {
    const auto it = patch.find(key);
    if (it == patch.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) return make_error(ErrorCode::bad_field, std::string(key) + " must be a number", key);
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < lo || v > hi) {
      return make_error(ErrorCode::bad_field, std::string(key) + " must be between " + std::to_string(lo) + " and " +
                                                  std::to_string(hi), key);
    }
    out = v;
    return std::nullopt;
  };
  if (auto e = text("provider", 32, s.provider)) return *e;
  if (s.provider != "builtin" && s.provider != "openai") {
    return make_error(ErrorCode::bad_field, "provider must be builtin or openai", "provider");
  }
  if (auto e = text("base_url", 500, s.base_url)) return *e;
  if (auto e = text("model", 200, s.model)) return *e;
  if (auto e = text("cheap_model", 200, s.cheap_model)) return *e;
  if (auto e = text("api_key", 500, s.api_key)) return *e;  // "" clears it; absent keeps it
  if (auto e = number("temperature", 0, 2, s.temperature)) return *e;
  double max_tokens = s.max_tokens;
  if (auto e = number("max_tokens", 1, 32768, max_tokens)) return *e;
  if (max_tokens != std::floor(max_tokens)) return make_error(ErrorCode::bad_field, "max_tokens must be a whole number", "max_tokens");
  s.max_tokens = static_cast<int>(max_tokens);
  if (auto e = number("monthly_budget_usd", 0, 1e7, s.monthly_budget_usd)) return *e;
  if (auto e = number("input_usd_per_mtok", 0, 1e4, s.input_usd_per_mtok)) return *e;
  if (auto e = number("output_usd_per_mtok", 0, 1e4, s.output_usd_per_mtok)) return *e;
  if (s.provider == "openai") {
    if (s.base_url.empty()) return make_error(ErrorCode::missing_field, "base_url is required for openai", "base_url");
    if (s.model.empty()) return make_error(ErrorCode::missing_field, "model is required for openai", "model");
  }
  if (!s.base_url.empty()) {
    auto checked = check_url(policy, s.base_url);
    if (!checked) return make_error(ErrorCode::bad_field, "base_url: " + checked.error().message, "base_url");
  }
  return s;
}

Json LlmService::settings_json(const LlmSettings& s, bool admin) {
  Json j{{"provider", s.provider},
         {"base_url", s.base_url},
         {"model", s.model},
         {"cheap_model", s.cheap_model},
         {"temperature", s.temperature},
         {"max_tokens", s.max_tokens},
         {"monthly_budget_usd", s.monthly_budget_usd},
         {"input_usd_per_mtok", s.input_usd_per_mtok},
         {"output_usd_per_mtok", s.output_usd_per_mtok},
         {"key_set", !s.api_key.empty()},
         {"updated_at", s.updated_at}};
  if (admin && s.api_key.size() >= 8) {
    j["key_last4"] = s.api_key.substr(s.api_key.size() - 4);
  } else if (admin && !s.api_key.empty()) {
    j["key_last4"] = "";  // too short to show any of it
  }
  return j;
}

LlmService::LlmService(HubState& hub, UrlPolicy policy, int timeout_ms, std::shared_ptr<outbound::HttpClient> http,
                       std::unique_ptr<ChatProvider> provider)
    : hub_(hub),
      policy_(std::move(policy)),
      timeout_ms_(timeout_ms),
      http_(std::move(http)),
      provider_(provider ? std::move(provider) : make_openai_provider(*http_)),
      pool_(std::make_unique<asio::thread_pool>(4)) {}

LlmService::~LlmService() {
  stopping_ = true;
  if (pool_) pool_->join();
}

std::optional<Error> LlmService::load(StoreReader& reader) {
  auto all = reader.load_llm_settings();
  if (!all) return all.error();
  for (LlmSettings& s : all.value()) settings_[s.tenant_id] = std::move(s);
  return std::nullopt;
}

bool LlmService::active(const std::string& tenant_id) const {
  const auto it = settings_.find(tenant_id);
  return it != settings_.end() && it->second.provider == "openai" && !it->second.base_url.empty() &&
         !it->second.model.empty();
}

LlmSettings LlmService::settings(const std::string& tenant_id) const {
  const auto it = settings_.find(tenant_id);
  if (it != settings_.end()) return it->second;
  LlmSettings s;
  s.tenant_id = tenant_id;
  return s;
}

void LlmService::save(const std::string& tenant_id, const Json& patch, std::function<void(Result<LlmSettings>)> done) {
  auto next = apply_llm_patch(settings(tenant_id), patch, policy_);
  if (!next) return done(next.error());
  LlmSettings s = std::move(next).value();
  s.tenant_id = tenant_id;
  s.updated_at = hub_.now();
  std::vector<Mutation> ops;
  ops.push_back(SaveLlmSettings{s});
  hub_.write(std::move(ops), [this, s, done = std::move(done)](std::optional<Error> e) {
    if (e) return done(*e);
    settings_[s.tenant_id] = s;
    done(s);
  });
}

// ---- drafts ----

void LlmService::send_draft(const std::string& conv_id, const std::string& draft_id, const std::string& text,
                            bool discarded) {
  ConvState* cs = hub_.convs.find(conv_id);
  if (!cs) return;
  Event e;
  e.conversation_id = conv_id;
  e.seq = 0;
  e.type = "chat.draft";
  e.audience = Audience::everyone;
  e.at = hub_.now();
  if (const Tenant* t = hub_.tenants.find(cs->live.tenant_id)) e.actor = Actor{Role::bot, "bot", t->settings.assistant_name};
  e.data = Json{{"draft_id", draft_id}, {"text", text}};
  if (discarded) e.data["discarded"] = true;
  auto frame = std::make_shared<const std::string>(encode_event(e));
  for (std::uint64_t sub : cs->subscribers) {
    if (ConnState* to = hub_.conns.find(sub)) to->send(frame);
  }
  counters_.drafts.fetch_add(1, std::memory_order_relaxed);
}

void LlmService::discard_draft(const std::string& conv_id, const std::string& draft_id) {
  if (!draft_id.empty()) send_draft(conv_id, draft_id, "", true);
}

// ---- tools (loop thread) ----

void LlmService::run_tool(const std::shared_ptr<Job>& job, const std::string& name, const Json& args,
                          std::function<void(std::string content, bool is_error)> answer) {
  auto fail = [&answer](ErrorCode code, const std::string& message) { answer(json_dump(tool_error(code, message)), true); };
  ConvState* cs = hub_.convs.find(job->conv_id);
  if (!cs || cs->live.tenant_id != job->tenant_id) return fail(ErrorCode::not_found, "the conversation is gone");
  if (name == llm::kToolSearchKb) {
    const auto& kb = hub_.tenants.kb(job->tenant_id);
    const KbIndex& index = hub_.tenants.kb_index(job->tenant_id);
    Json results = Json::array();
    for (const KbHit& h : index.search(args.value("query", std::string()), 3)) {
      if (h.index >= kb.size()) continue;
      const KbArticle& a = kb[h.index];
      results.push_back(Json{{"id", a.id}, {"title", a.title}, {"body", cut_chars(a.body, 1500)},
                             {"score", std::round(h.strength * 100) / 100}});
    }
    return answer(json_dump(Json{{"results", results}}), false);
  }
  if (name == llm::kToolTransfer) {
    {
      std::lock_guard<std::mutex> lock(job->mu);
      job->transfer = true;
      job->transfer_reason = args.value("reason", std::string());
      job->transfer_priority = parse_priority(args.value("priority", std::string("normal")));
    }
    return answer(json_dump(Json{{"ok", true},
                                 {"note", "A person from the team will take over after your reply. Tell the customer "
                                          "briefly that you are connecting them."}}),
                  false);
  }
  const Contact* contact = hub_.contacts.get(hub_.reader, job->tenant_id, job->contact_id);
  if (name == llm::kToolLookupTicket || name == llm::kToolAccountInfo) {
    if (!contact || !contact_verified(*contact)) {
      return fail(ErrorCode::forbidden,
                  "the customer is not verified: account and ticket details cannot be shared. Offer to connect "
                  "them with a person, or help from the knowledge base.");
    }
    if (name == llm::kToolAccountInfo) {
      return answer(json_dump(Json{{"name", contact->name}, {"email", contact->email}, {"phone", contact->phone},
                                   {"channel", std::string(to_string(contact->channel))}}),
                    false);
    }
    auto t = hub_.reader ? hub_.reader->find_ticket(job->tenant_id, args.value("ticket_id", std::string()))
                         : Result<std::optional<Ticket>>(make_error(ErrorCode::unavailable, "no reader"));
    if (!t) return fail(t.error().code, "the ticket could not be read");
    // Another customer's ticket reads as missing: never "exists but not yours".
    if (!*t || (*t)->contact_id != job->contact_id) return fail(ErrorCode::not_found, "no such ticket for this customer");
    const Ticket& k = **t;
    return answer(json_dump(Json{{"ticket_id", k.id}, {"title", k.title}, {"status", std::string(to_string(k.status))},
                                 {"priority", std::string(to_string(k.priority))}, {"updated_at", k.updated_at}}),
                  false);
  }
  if (name == llm::kToolCreateTicket) {
    TicketInput in;
    in.title = args.value("title", std::string());
    in.description = args.value("description", std::string());
    in.priority = parse_priority(args.value("priority", std::string("normal")));
    const std::string contact_name = contact ? contact->name : std::string();
    const Tenant* tenant = hub_.tenants.find(job->tenant_id);
    const Actor bot{Role::bot, "bot", tenant ? tenant->settings.assistant_name : std::string("Assistant")};
    auto shared_answer = std::make_shared<std::function<void(std::string, bool)>>(std::move(answer));
    auto decide = [this, bot, in = std::move(in), contact_name](ConvState& c) -> Decision {
      auto draft = ticket_draft(in, c.live, contact_name);
      if (!draft) return Decision::reply(draft.error());
      const Millis now = hub_.now();
      Ticket t;
      t.id = random_id("tk_");
      t.tenant_id = c.live.tenant_id;
      t.conversation_id = c.live.id;
      t.contact_id = c.live.contact_id;
      t.title = draft->title;
      t.description = draft->description;
      t.priority = draft->priority;
      t.created_by = bot.id;
      t.created_at = t.updated_at = now;
      auto tr = note_ticket_created(c.live, bot, t.id, now);
      if (!tr) return Decision::reply(tr.error());
      Decision d = Decision::persist(std::move(tr).value(), [t](const ConvState&) { return ticket_json(t); });
      d.extra.push_back(InsertTicket{t});
      d.extra.push_back(AppendAudit{AuditEntry{t.tenant_id, "system", bot.id, "ticket.created", t.id,
                                               Json{{"conversation_id", t.conversation_id}, {"by", "assistant"}}, now}});
      return d;
    };
    hub_.pipeline.submit(*cs, std::move(decide), [shared_answer](Result<Json> r) {
      if (!r) {
        const Error& e = r.error();
        const std::string msg = e.code == ErrorCode::already_assigned || e.message.find("duplicate") != std::string::npos
                                    ? "this conversation already has a ticket"
                                    : e.message;
        return (*shared_answer)(json_dump(tool_error(e.code, msg)), true);
      }
      (*shared_answer)(json_dump(Json{{"ok", true}, {"ticket_id", r.value().value("id", std::string())}}), false);
    });
    return;
  }
  fail(ErrorCode::not_found, "unknown tool");
}

// ---- turns ----

void LlmService::respond(const Assistant::Context& ctx, std::uint64_t turn, std::function<void(Assistant::Reply)> done) {
  auto job = std::make_shared<Job>();
  job->tenant_id = ctx.conversation.tenant_id;
  job->conv_id = ctx.conversation.id;
  job->contact_id = ctx.conversation.contact_id;
  job->turn = turn;
  job->draft_id = "d_" + ctx.conversation.id + "_" + std::to_string(turn);
  job->head_seq = ctx.conversation.head_seq;
  job->settings = settings(job->tenant_id);
  job->assistant_name = ctx.settings.assistant_name;
  job->text = ctx.text;
  job->customer_messages = static_cast<int>(ctx.recent_customer_messages.size());
  job->recent_customer = ctx.recent_customer_messages;
  job->tried_titles = ctx.tried_titles;
  job->done = std::move(done);
  {
    std::lock_guard<std::mutex> lock(tools_mu_);
    const auto it = used_tools_.find(job->conv_id);
    job->after_tool = it != used_tools_.end() && it->second;
  }
  if (ctx.kb && ctx.kb_index) {
    for (const KbHit& h : ctx.kb_index->search(ctx.text, 2)) {
      if (h.index >= ctx.kb->size()) continue;
      const KbArticle& a = (*ctx.kb)[h.index];
      job->kb_context += "## " + a.title + "\n" + cut_chars(a.body, 1200) + "\n\n";
    }
  }
  counters_.turns.fetch_add(1, std::memory_order_relaxed);
  asio::post(*pool_, [this, job] { run(job); });
}

void LlmService::run(std::shared_ptr<Job> job) {
  const LlmSettings& s = job->settings;
  Assistant::Reply reply;
  Json turn_info{{"decision", "answer"}, {"provider", s.provider}};
  auto fallback = [&](const std::string& why) {
    counters_.fallbacks.fetch_add(1, std::memory_order_relaxed);
    reply = Assistant::Reply{};
    reply.text = kFallbackText;
    reply.hand_off = true;
    reply.understood = false;
    reply.handoff_reason = "assistant_unavailable";
    reply.summary = handoff_summary(job->recent_customer, job->tried_titles, "assistant_unavailable") +
                    "\nThe assistant's provider could not answer (" + why + ").";
    turn_info["decision"] = "handoff";
    turn_info["rule"] = "assistant_unavailable";
    turn_info["failure"] = why;
    log::warn("llm fallback", {{"tenant", job->tenant_id}, {"conversation", job->conv_id}, {"why", why}});
  };

  std::unique_ptr<StoreReader> reader;
  if (auto r = hub_.store.open_reader()) reader = std::move(r).value();
  const Millis now = hub_.options.wall_now();

  // Budget first: a tenant over its month's budget is not sent to the provider at all.
  bool over_budget = false;
  if (s.monthly_budget_usd > 0 && reader) {
    if (auto u = reader->llm_usage(job->tenant_id, month_start(now), "", 1)) {
      over_budget = u.value().tenant.cost_usd >= s.monthly_budget_usd;
    }
  }
  // The model: hybrid routing when a cheap model is set.
  const llm::RouteDecision route = llm::route_message(job->text, job->customer_messages, job->after_tool);
  const bool cheap = !s.cheap_model.empty() && route.tier == llm::ModelTier::cheap;
  const std::string model = cheap ? s.cheap_model : s.model;
  turn_info["model"] = model;
  turn_info["tier"] = cheap ? "cheap" : "strong";
  turn_info["route"] = route.reason;

  llm::ChatRequest req;
  req.model = model;
  req.temperature = s.temperature;
  req.max_tokens = s.max_tokens;
  req.stream = true;
  req.tools = llm::assistant_tools();
  std::string system =
      "You are " + job->assistant_name +
      ", the customer-service assistant of this organisation, answering in its website chat. Answer in the "
      "customer's language, briefly and kindly, from the organisation's knowledge (call search_kb when the passages "
      "below do not answer). Never invent prices, policies or account details. When the customer asks for a person, "
      "is upset, or you cannot help, call transfer_to_human. Account and ticket tools work only for verified "
      "customers.";
  if (!job->kb_context.empty()) system += "\n\nKnowledge passages that may answer the latest message:\n" + job->kb_context;
  req.messages.push_back({llm::ChatRole::system, system, {}, "", "", false});
  if (reader) {
    const Seq after = job->head_seq > kTranscriptMessages * 2 ? job->head_seq - kTranscriptMessages * 2 : 0;
    if (auto page = reader->messages_page(job->tenant_id, job->conv_id, after, kTranscriptMessages * 2, false)) {
      for (const Message& m : page.value().messages) {
        if (m.seq > job->head_seq || m.text.empty()) continue;
        if (m.sender_role == Role::customer) {
          req.messages.push_back({llm::ChatRole::user, cut_chars(m.text, 4000), {}, "", "", false});
        } else if (m.sender_role == Role::bot || m.sender_role == Role::agent) {
          req.messages.push_back({llm::ChatRole::assistant, cut_chars(m.text, 4000), {}, "", "", false});
        }
      }
    }
  }
  if (req.messages.size() < 2 || req.messages.back().role != llm::ChatRole::user) {
    req.messages.push_back({llm::ChatRole::user, job->text, {}, "", "", false});  // no reader: the message alone
  }

  ProviderTarget target{s.base_url, s.api_key, 5000, timeout_ms_};
  std::string streamed;
  auto last_draft = std::chrono::steady_clock::time_point{};
  bool drafted = false;
  auto on_text = [&](std::string_view piece) {
    if (stopping_) return false;
    streamed.append(piece);
    const auto t = std::chrono::steady_clock::now();
    if (!drafted || t - last_draft >= std::chrono::milliseconds(kDraftIntervalMs)) {
      drafted = true;
      last_draft = t;
      asio::post(hub_.io, [this, conv = job->conv_id, id = job->draft_id, text = cut_chars(streamed, kMaxReplyChars)] {
        send_draft(conv, id, text, false);
      });
    }
    return true;
  };

  int tool_calls = 0;
  Json tools_used = Json::array();
  std::int64_t prompt_tokens = 0, completion_tokens = 0;
  std::string final_text;
  bool answered = false;
  if (over_budget) {
    fallback("over_budget");
  } else {
    for (int round = 1; round <= kMaxRounds && !stopping_; ++round) {
      if (round == kMaxRounds || tool_calls >= kMaxToolCalls) req.tools.clear();  // the last round must answer
      streamed.clear();
      counters_.provider_calls.fetch_add(1, std::memory_order_relaxed);
      ProviderResult res = provider_->chat(req, target, on_text);
      prompt_tokens += res.billed.prompt_tokens;
      completion_tokens += res.billed.completion_tokens;
      if (res.failure == llm::FailureKind::none || res.billed.prompt_tokens + res.billed.completion_tokens > 0) {
        LlmUsage u;
        u.tenant_id = job->tenant_id;
        u.conversation_id = job->conv_id;
        u.model = res.response.model.empty() ? model : cut_chars(res.response.model, 200);
        u.prompt_tokens = res.billed.prompt_tokens;
        u.completion_tokens = res.billed.completion_tokens;
        u.cost_usd = (static_cast<double>(u.prompt_tokens) * s.input_usd_per_mtok +
                      static_cast<double>(u.completion_tokens) * s.output_usd_per_mtok) / 1e6;
        u.outcome = res.failure == llm::FailureKind::none ? "ok" : std::string(llm::to_string(res.failure));
        u.at = hub_.options.wall_now();
        hub_.store.write(RecordLlmUsage{u}, nullptr);
      }
      turn_info["attempts"] = res.attempts;
      if (res.failure != llm::FailureKind::none) {
        log::warn("llm call failed", {{"tenant", job->tenant_id}, {"kind", std::string(llm::to_string(res.failure))},
                                      {"status", res.status}, {"error", res.error}, {"attempts", res.attempts}});
        fallback(std::string(llm::to_string(res.failure)));
        break;
      }
      const llm::ChatResponse& r = res.response;
      if (r.tool_calls.empty()) {
        final_text = r.text;
        answered = true;
        break;
      }
      // The model called tools: answer each (executed on the loop), then ask again.
      llm::ChatMessage call_msg;
      call_msg.role = llm::ChatRole::assistant;
      call_msg.content = r.text;
      call_msg.tool_calls = r.tool_calls;
      for (llm::ToolCall& c : call_msg.tool_calls) {
        if (c.id.empty()) c.id = "call_" + std::to_string(round) + "_" + std::to_string(&c - call_msg.tool_calls.data());
      }
      req.messages.push_back(call_msg);
      if (!streamed.empty()) {  // text streamed before the tool calls: not the reply
        asio::post(hub_.io, [this, conv = job->conv_id, id = job->draft_id] { discard_draft(conv, id); });
        drafted = false;
      }
      for (const llm::ToolCall& c : call_msg.tool_calls) {
        llm::ChatMessage result;
        result.role = llm::ChatRole::tool;
        result.tool_call_id = c.id;
        result.name = c.name;
        counters_.tool_calls.fetch_add(1, std::memory_order_relaxed);
        tools_used.push_back(cut_chars(c.name, 64));
        if (++tool_calls > kMaxToolCalls) {
          result.content = json_dump(tool_error(ErrorCode::rate_limited,
                                                "the tool budget of this turn is spent: answer the customer now"));
          result.is_error = true;
        } else if (auto args = llm::validate_tool_arguments(c.name, c.arguments); !args) {
          result.content = llm::tool_error_content(args.error());
          result.is_error = true;
        } else {
          // Executed on the loop thread; this worker waits (bounded) for the answer.
          auto promise = std::make_shared<std::promise<std::pair<std::string, bool>>>();
          auto once = std::make_shared<std::once_flag>();
          std::future<std::pair<std::string, bool>> future = promise->get_future();
          asio::post(hub_.io, [this, job, name = c.name, a = std::move(args).value(), promise, once] {
            run_tool(job, name, a, [promise, once](std::string content, bool is_error) {
              std::call_once(*once, [&] { promise->set_value({std::move(content), is_error}); });
            });
          });
          if (future.wait_for(std::chrono::milliseconds(kToolTimeoutMs)) == std::future_status::ready) {
            auto [content, is_error] = future.get();
            result.content = std::move(content);
            result.is_error = is_error;
          } else {
            result.content = json_dump(tool_error(ErrorCode::unavailable, "the tool did not answer in time"));
            result.is_error = true;
          }
        }
        if (result.is_error) counters_.tool_errors.fetch_add(1, std::memory_order_relaxed);
        req.messages.push_back(std::move(result));
      }
    }
    if (!answered && reply.text.empty()) fallback(stopping_ ? "stopping" : "no_answer");
  }

  bool transfer = false;
  std::string transfer_reason;
  std::optional<Priority> transfer_priority;
  {
    std::lock_guard<std::mutex> lock(job->mu);
    transfer = job->transfer;
    transfer_reason = job->transfer_reason;
    transfer_priority = job->transfer_priority;
  }
  if (answered) {
    reply.text = cut_chars(final_text, kMaxReplyChars);
    reply.understood = true;
    if (transfer) {
      if (reply.text.empty()) reply.text = kConnectingText;
      reply.hand_off = true;
      reply.handoff_reason = "assistant_transfer";
      reply.summary = handoff_summary(job->recent_customer, job->tried_titles, "assistant_transfer");
      if (!transfer_reason.empty()) reply.summary += "\nThe assistant's reason: " + cut_chars(transfer_reason, 500);
      if (transfer_priority && (*transfer_priority == Priority::urgent || *transfer_priority == Priority::high)) {
        reply.priority = transfer_priority;
      }
      turn_info["decision"] = "handoff";
      turn_info["rule"] = "assistant_transfer";
    } else if (reply.text.empty()) {
      fallback("empty_answer");
    }
  }
  {
    std::lock_guard<std::mutex> lock(tools_mu_);
    if (used_tools_.size() > 100000) used_tools_.clear();  // a hint for routing only: bounded
    used_tools_[job->conv_id] = !tools_used.empty();
  }
  turn_info["tools"] = tools_used;
  turn_info["prompt_tokens"] = prompt_tokens;
  turn_info["completion_tokens"] = completion_tokens;
  turn_info["draft_id"] = job->draft_id;
  reply.turn = turn_info;
  reply.draft_id = drafted || !streamed.empty() ? job->draft_id : std::string();
  job->done(std::move(reply));
}

}  // namespace parley::relay
