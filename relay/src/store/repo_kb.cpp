// relay/src/store/repo_kb.cpp: the knowledge base: table kb_articles, its full-text indexes
// kb_fts_en / kb_fts_intl (kept in step by schema v15's triggers) and kb_synonyms (see repo.hpp).
// Every statement binds its parameters; no SQL text is ever built from data (the FTS5 MATCH
// expression is a bound parameter too, built by parley/kb_query.hpp with every term quoted).
#include <algorithm>
#include <map>
#include <set>

#include "parley/kb_query.hpp"
#include "store/repo.hpp"
#include "store/repo_helpers.hpp"

namespace parley::relay {

using repo_helpers::dump_json;
using repo_helpers::Savepoint;

namespace {

constexpr const char* kColumns =
    "id, title, body, keywords, language, category, active, updated_at, usage_count";

std::vector<std::string> strings_of(const std::string& json_text) {
  std::vector<std::string> out;
  const Json j = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_array()) {
    for (const Json& k : j) {
      if (k.is_string()) out.push_back(k.get<std::string>());
    }
  }
  return out;
}

// Reads kColumns starting at column `at`.
KbArticle read_article(const Stmt& q, int at = 0) {
  KbArticle a;
  a.id = q.col_text(at + 0);
  a.title = q.col_text(at + 1);
  a.body = q.col_text(at + 2);
  a.keywords = strings_of(q.col_text(at + 3));
  a.language = q.col_text(at + 4);
  a.category = q.col_text(at + 5);
  a.active = q.col_int(at + 6) != 0;
  a.updated_at = q.col_int(at + 7);
  a.usage_count = q.col_int(at + 8);
  return a;
}

std::optional<Error> named(std::optional<Error> e, const std::string& id) {
  if (e) e->message = "kb article " + id + ": " + e->message;
  return e;
}

}  // namespace

std::optional<Error> insert_kb_article(Db& db, const std::string& tenant_id, const KbArticle& a) {
  Stmt q = db.prepare(
      "INSERT INTO kb_articles(id, tenant_id, title, body, keywords, language, category, active, created_at, "
      "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
  q.bind(1, a.id).bind(2, tenant_id).bind(3, a.title).bind(4, a.body).bind(5, dump_json(Json(a.keywords)));
  q.bind(6, a.language).bind(7, a.category).bind(8, std::int64_t{a.active ? 1 : 0}).bind(9, a.updated_at);
  return named(q.run(), a.id);
}

std::optional<Error> update_kb_article(Db& db, const std::string& tenant_id, const KbArticle& a) {
  Stmt q = db.prepare(
      "UPDATE kb_articles SET title = ?3, body = ?4, keywords = ?5, language = ?6, category = ?7, active = ?8, "
      "updated_at = ?9 WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, tenant_id).bind(2, a.id).bind(3, a.title).bind(4, a.body).bind(5, dump_json(Json(a.keywords)));
  q.bind(6, a.language).bind(7, a.category).bind(8, std::int64_t{a.active ? 1 : 0}).bind(9, a.updated_at);
  if (auto e = q.run()) return named(e, a.id);
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no such knowledge-base article", "id");
  return std::nullopt;
}

std::optional<Error> delete_kb_article(Db& db, const std::string& tenant_id, const std::string& id) {
  Stmt q = db.prepare("DELETE FROM kb_articles WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, tenant_id).bind(2, id);
  if (auto e = q.run()) return e;
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no such knowledge-base article", "id");
  return std::nullopt;
}

std::optional<Error> bump_kb_usage(Db& db, const std::string& tenant_id, const std::string& id, std::int64_t by) {
  Stmt q = db.prepare("UPDATE kb_articles SET usage_count = usage_count + ?3 WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, tenant_id).bind(2, id).bind(3, by);
  return q.run();
}

std::optional<Error> replace_kb(Db& db, const std::string& tenant_id, const std::vector<KbArticle>& articles,
                                std::int64_t now) {
  std::set<std::string> ids;
  for (const KbArticle& a : articles) {
    if (!ids.insert(a.id).second) return duplicate_error("id", "kb article " + a.id + " twice in the list");
  }
  Savepoint sp(db);
  if (sp.error()) return sp.error();
  {
    // Those not in the list go (their index rows with them: the delete trigger).
    Stmt q = db.prepare("SELECT id FROM kb_articles WHERE tenant_id = ?1");
    q.bind(1, tenant_id);
    std::vector<std::string> gone;
    while (q.step()) {
      std::string id = q.col_text(0);
      if (!ids.count(id)) gone.push_back(std::move(id));
    }
    if (q.error()) return *q.error();
    for (const std::string& id : gone) {
      if (auto e = delete_kb_article(db, tenant_id, id)) return e;
    }
  }
  for (const KbArticle& a : articles) {
    KbArticle row = a;
    if (now != 0) row.updated_at = now;
    // Changed rows only (an unchanged article keeps its updated_at and is not re-indexed).
    Stmt q = db.prepare(
        "INSERT INTO kb_articles(id, tenant_id, title, body, keywords, language, category, active, created_at, "
        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) "
        "ON CONFLICT(tenant_id, id) DO UPDATE SET title = excluded.title, body = excluded.body, "
        "keywords = excluded.keywords, language = excluded.language, category = excluded.category, "
        "active = excluded.active, updated_at = excluded.updated_at "
        "WHERE title IS NOT excluded.title OR body IS NOT excluded.body OR keywords IS NOT excluded.keywords "
        "OR language IS NOT excluded.language OR category IS NOT excluded.category OR active IS NOT excluded.active");
    q.bind(1, row.id).bind(2, tenant_id).bind(3, row.title).bind(4, row.body).bind(5, dump_json(Json(row.keywords)));
    q.bind(6, row.language).bind(7, row.category).bind(8, std::int64_t{row.active ? 1 : 0}).bind(9, row.updated_at);
    if (auto e = q.run()) return named(e, a.id);
  }
  return sp.commit();
}

Result<std::vector<KbArticle>> load_kb(Db& db, const std::string& tenant_id) {
  Stmt q = db.prepare(std::string("SELECT ") + kColumns + " FROM kb_articles WHERE tenant_id = ?1 ORDER BY n");
  q.bind(1, tenant_id);
  std::vector<KbArticle> out;
  while (q.step()) out.push_back(read_article(q));
  if (q.error()) return *q.error();
  return out;
}

Result<std::optional<KbArticle>> find_kb_article(Db& db, const std::string& tenant_id, const std::string& id) {
  Stmt q = db.prepare(std::string("SELECT ") + kColumns + " FROM kb_articles WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, tenant_id).bind(2, id);
  if (q.step()) return std::optional<KbArticle>(read_article(q));
  if (q.error()) return *q.error();
  return std::optional<KbArticle>{};
}

std::optional<Error> save_kb_synonyms(Db& db, const std::string& tenant_id, const Synonyms& synonyms) {
  Savepoint sp(db);
  if (sp.error()) return sp.error();
  {
    Stmt del = db.prepare("DELETE FROM kb_synonyms WHERE tenant_id = ?1");
    del.bind(1, tenant_id);
    if (auto e = del.run()) return e;
  }
  for (const auto& [word, values] : synonyms) {
    Stmt q = db.prepare("INSERT INTO kb_synonyms(tenant_id, word, synonyms) VALUES (?1, ?2, ?3)");
    q.bind(1, tenant_id).bind(2, word).bind(3, dump_json(Json(values)));
    if (auto e = q.run()) return e;
  }
  return sp.commit();
}

Result<Synonyms> load_kb_synonyms(Db& db, const std::string& tenant_id) {
  Stmt q = db.prepare("SELECT word, synonyms FROM kb_synonyms WHERE tenant_id = ?1 ORDER BY word");
  q.bind(1, tenant_id);
  Synonyms out;
  while (q.step()) out[q.col_text(0)] = strings_of(q.col_text(1));
  if (q.error()) return *q.error();
  return out;
}

namespace {

// The table's column weights for bm25(): title, body, keywords (the shared/ ranker weighs its
// fields alike; here a title or keyword hit counts for more, which suits staff typing a topic).
struct FtsTable {
  const char* name;
  KbFlavour flavour;
};
constexpr FtsTable kTables[] = {{"kb_fts_en", KbFlavour::porter}, {"kb_fts_intl", KbFlavour::plain}};

struct Found {
  std::int64_t n = 0;
  KbSearchHit hit;
};

}  // namespace

Result<std::vector<KbSearchHit>> search_kb(Db& db, const std::string& tenant_id, const KbSearchQuery& query) {
  auto synonyms = load_kb_synonyms(db, tenant_id);
  if (!synonyms) return synonyms.error();
  const std::size_t limit = std::max<std::size_t>(1, query.limit);
  std::vector<Found> found;
  std::map<std::int64_t, double> confidence;  // n -> confidence
  for (const FtsTable& t : kTables) {
    const KbQuery kq = build_kb_query(query.q, *synonyms, t.flavour);
    if (kq.groups.empty()) continue;
    const std::string tn = t.name;
    const std::string bm25 = "bm25(" + tn + ", 3.0, 1.0, 2.0)";
    Stmt q = db.prepare("SELECT a.n, " + std::string("a.id, a.title, '', a.keywords, a.language, a.category, a.active, "
                        "a.updated_at, a.usage_count, ") +
                        "-" + bm25 + ", snippet(" + tn + ", 1, '**', '**', '\u2026', 24), highlight(" + tn +
                        ", 0, '**', '**') FROM " + tn + " JOIN kb_articles a ON a.n = " + tn + ".rowid WHERE " + tn +
                        " MATCH ?1 AND a.tenant_id = ?2 AND (?3 OR a.active = 1) AND (?4 = '' OR a.category = ?4) "
                        "ORDER BY " + bm25 + " LIMIT ?5");
    q.bind(1, fts5_match(kq)).bind(2, tenant_id).bind(3, std::int64_t{query.include_inactive ? 1 : 0});
    q.bind(4, query.category).bind(5, static_cast<std::int64_t>(limit));
    std::vector<std::int64_t> ns;
    while (q.step()) {
      Found f;
      f.n = q.col_int(0);
      f.hit.article = read_article(q, 1);
      f.hit.score = q.col_double(10);
      f.hit.passage = q.col_text(11);
      f.hit.title_marked = q.col_text(12);
      ns.push_back(f.n);
      found.push_back(std::move(f));
    }
    if (q.error()) return *q.error();
    if (ns.empty()) continue;
    // Which of the question's groups each hit has: one MATCH per group, limited to the hits.
    std::map<std::int64_t, std::size_t> matched;
    const auto [lo, hi] = std::minmax_element(ns.begin(), ns.end());
    for (const KbGroup& g : kq.groups) {
      Stmt m = db.prepare("SELECT rowid FROM " + tn + " WHERE " + tn + " MATCH ?1 AND rowid BETWEEN ?2 AND ?3");
      m.bind(1, fts5_group_match(g)).bind(2, *lo).bind(3, *hi);
      while (m.step()) {
        const std::int64_t n = m.col_int(0);
        if (std::find(ns.begin(), ns.end(), n) != ns.end()) ++matched[n];
      }
      if (m.error()) return *m.error();
    }
    for (std::int64_t n : ns) confidence[n] = kb_match_confidence(matched[n], kq.groups.size());
  }
  for (Found& f : found) f.hit.confidence = confidence[f.n];
  // Both tables' hits together, best first (BM25 of two tables is only roughly comparable: a
  // tenant writing in one language has hits from one table only).
  std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.hit.score > b.hit.score; });
  std::vector<KbSearchHit> out;
  for (Found& f : found) {
    if (out.size() >= limit) break;
    out.push_back(std::move(f.hit));
  }
  return out;
}

}  // namespace parley::relay
