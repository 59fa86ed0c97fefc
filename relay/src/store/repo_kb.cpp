// relay/src/store/repo_kb.cpp: the knowledge base, table kb_articles (see repo.hpp). Every
// statement binds its parameters; no SQL text is ever built from data.
#include "store/repo.hpp"
#include "store/repo_helpers.hpp"

namespace parley::relay {

using repo_helpers::dump_json;
using repo_helpers::Savepoint;

std::optional<Error> replace_kb(Db& db, const std::string& tenant_id,
                                const std::vector<KbArticle>& articles) {
  Savepoint sp(db);
  if (sp.error()) return sp.error();
  {
    Stmt del = db.prepare("DELETE FROM kb_articles WHERE tenant_id = ?1");
    del.bind(1, tenant_id);
    if (auto e = del.run()) return e;
  }
  for (const KbArticle& a : articles) {
    Stmt q = db.prepare(
        "INSERT INTO kb_articles(id, tenant_id, title, body, keywords) VALUES (?1, ?2, ?3, ?4, ?5)");
    q.bind(1, a.id).bind(2, tenant_id).bind(3, a.title).bind(4, a.body).bind(5, dump_json(Json(a.keywords)));
    if (auto e = q.run()) {
      e->message = "kb article " + a.id + ": " + e->message;
      return e;
    }
  }
  return sp.commit();
}

Result<std::vector<KbArticle>> load_kb(Db& db, const std::string& tenant_id) {
  Stmt q =
      db.prepare("SELECT id, title, body, keywords FROM kb_articles WHERE tenant_id = ?1 ORDER BY rowid");
  q.bind(1, tenant_id);
  std::vector<KbArticle> out;
  while (q.step()) {
    KbArticle a;
    a.id = q.col_text(0);
    a.title = q.col_text(1);
    a.body = q.col_text(2);
    const Json kw = Json::parse(q.col_text(3), nullptr, /*allow_exceptions=*/false);
    if (kw.is_array()) {
      for (const Json& k : kw) {
        if (k.is_string()) a.keywords.push_back(k.get<std::string>());
      }
    }
    out.push_back(std::move(a));
  }
  if (q.error()) return *q.error();
  return out;
}

}  // namespace parley::relay
