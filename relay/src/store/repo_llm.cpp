// relay/src/store/repo_llm.cpp: LLM settings and usage (repo_llm.hpp). Every statement binds its
// parameters; amounts are stored as integers (schema v16).
#include "store/repo_llm.hpp"

#include <cmath>

namespace parley::relay {

namespace {
std::int64_t scaled(double v, double scale) { return static_cast<std::int64_t>(std::llround(v * scale)); }
}  // namespace

std::optional<Error> save_llm_settings(Db& db, const LlmSettings& s) {
  Stmt q = db.prepare(
      "INSERT OR REPLACE INTO llm_settings (tenant_id, provider, base_url, model, cheap_model, api_key,"
      " temperature_milli, max_tokens, budget_micro_usd, input_micro_usd_per_mtok, output_micro_usd_per_mtok,"
      " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  q.bind(1, s.tenant_id).bind(2, s.provider).bind(3, s.base_url).bind(4, s.model).bind(5, s.cheap_model);
  q.bind(6, s.api_key).bind(7, scaled(s.temperature, 1000)).bind(8, static_cast<std::int64_t>(s.max_tokens));
  q.bind(9, scaled(s.monthly_budget_usd, 1e6)).bind(10, scaled(s.input_usd_per_mtok, 1e6));
  q.bind(11, scaled(s.output_usd_per_mtok, 1e6)).bind(12, s.updated_at);
  return q.run();
}

std::optional<Error> record_llm_usage(Db& db, const LlmUsage& u) {
  Stmt q = db.prepare(
      "INSERT INTO llm_usage (tenant_id, conversation_id, model, prompt_tokens, completion_tokens, cost_nano_usd,"
      " outcome, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  q.bind(1, u.tenant_id).bind(2, u.conversation_id).bind(3, u.model).bind(4, u.prompt_tokens);
  q.bind(5, u.completion_tokens).bind(6, scaled(u.cost_usd, 1e9)).bind(7, u.outcome).bind(8, u.at);
  return q.run();
}

Result<std::vector<LlmSettings>> load_llm_settings(Db& db) {
  Stmt q = db.prepare(
      "SELECT tenant_id, provider, base_url, model, cheap_model, api_key, temperature_milli, max_tokens,"
      " budget_micro_usd, input_micro_usd_per_mtok, output_micro_usd_per_mtok, updated_at FROM llm_settings");
  std::vector<LlmSettings> out;
  while (q.step()) {
    LlmSettings s;
    s.tenant_id = q.col_text(0);
    s.provider = q.col_text(1);
    s.base_url = q.col_text(2);
    s.model = q.col_text(3);
    s.cheap_model = q.col_text(4);
    s.api_key = q.col_text(5);
    s.temperature = static_cast<double>(q.col_int(6)) / 1000;
    s.max_tokens = static_cast<int>(q.col_int(7));
    s.monthly_budget_usd = static_cast<double>(q.col_int(8)) / 1e6;
    s.input_usd_per_mtok = static_cast<double>(q.col_int(9)) / 1e6;
    s.output_usd_per_mtok = static_cast<double>(q.col_int(10)) / 1e6;
    s.updated_at = q.col_int(11);
    out.push_back(std::move(s));
  }
  if (q.error()) return *q.error();
  return out;
}

Result<LlmUsageReport> llm_usage(Db& db, const std::string& tenant_id, Millis since, const std::string& conversation_id,
                                 std::size_t limit) {
  LlmUsageReport r;
  auto totals = [](const Stmt& q, int at) {
    LlmUsageTotals t;
    t.calls = q.col_int(at);
    t.prompt_tokens = q.col_int(at + 1);
    t.completion_tokens = q.col_int(at + 2);
    t.cost_usd = static_cast<double>(q.col_int(at + 3)) / 1e9;
    return t;
  };
  {
    Stmt q = db.prepare(
        "SELECT COUNT(*), COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0),"
        " COALESCE(SUM(cost_nano_usd), 0) FROM llm_usage WHERE tenant_id = ?1 AND at >= ?2");
    q.bind(1, tenant_id).bind(2, since);
    if (q.step()) r.tenant = totals(q, 0);
    if (q.error()) return *q.error();
  }
  Stmt q = db.prepare(
      "SELECT conversation_id, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_nano_usd)"
      " FROM llm_usage WHERE tenant_id = ?1 AND at >= ?2 AND (?3 = '' OR conversation_id = ?3)"
      " GROUP BY conversation_id ORDER BY SUM(cost_nano_usd) DESC, SUM(prompt_tokens + completion_tokens) DESC,"
      " conversation_id LIMIT ?4");
  q.bind(1, tenant_id).bind(2, since).bind(3, conversation_id).bind(4, static_cast<std::int64_t>(limit));
  while (q.step()) r.conversations.emplace_back(q.col_text(0), totals(q, 1));
  if (q.error()) return *q.error();
  return r;
}

}  // namespace parley::relay
