// parley/kb_query.hpp and parley/kb_admin.hpp (issue 10, knowledge-base management): the FTS5
// expressions a question becomes (stop words, folding, synonyms, prefixes, stems for languages
// without a stemmer, no injection) and the article rules the REST edge, parleyctl and the inbox share.
#include <doctest/doctest.h>

#include <string>

#include "parley/kb_admin.hpp"
#include "parley/kb_query.hpp"

using namespace parley;

TEST_CASE("kb query: stop words dropped, words folded, repeats merged, groups OR-ed") {
  const KbQuery q = build_kb_query("Where is my Invoice? The invoices!", {}, KbFlavour::porter);
  REQUIRE(q.groups.size() == 1);  // "where", "is", "my", "the" are stop words; invoice/invoices one stem
  CHECK(q.groups[0].word == "invoice");
  CHECK(fts5_match(q) == "(\"invoice\")");
  CHECK(fts5_match(build_kb_query("Ação rápida router", {}, KbFlavour::porter)) ==
        "(\"acao\") OR (\"rapida\") OR (\"router\"*)");
  CHECK(build_kb_query("the of and a", {}, KbFlavour::porter).groups.empty());
  CHECK(fts5_match(build_kb_query("", {}, KbFlavour::porter)).empty());
}

TEST_CASE("kb query: the last word and words written with * match as prefixes") {
  CHECK(fts5_match(build_kb_query("refu", {}, KbFlavour::porter)) == "(\"refu\"*)");
  CHECK(fts5_match(build_kb_query("pass* reset", {}, KbFlavour::porter)) == "(\"pass\"*) OR (\"reset\"*)");
  // Two letters at the end are too short to be a prefix (they would match half the knowledge base).
  CHECK(fts5_match(build_kb_query("router tv", {}, KbFlavour::porter)) == "(\"router\") OR (\"tv\")");
}

TEST_CASE("kb query: synonyms by stem, phrases, in the group of their word") {
  const Synonyms syn = {{"bill", {"invoice", "direct debit"}}, {"telly", {"tv"}}};
  const KbQuery q = build_kb_query("my bills are late, telly broken", syn, KbFlavour::porter);
  REQUIRE(q.groups.size() == 4);
  CHECK(fts5_group_match(q.groups[0]) == "\"bills\" OR \"invoice\" OR \"direct debit\"");
  CHECK(fts5_group_match(q.groups[2]) == "\"telly\" OR \"tv\"");
  CHECK(fts5_group_match(q.groups[3]) == "\"broken\"*");
}

TEST_CASE("kb query: languages without a stemmer search stems as prefixes") {
  const KbQuery q = build_kb_query("¿Dónde están mis facturas?", {}, KbFlavour::plain);
  REQUIRE_FALSE(q.groups.empty());
  CHECK(q.groups.front().word == "donde");  // folded
  CHECK(fts5_group_match(q.groups.back()) == "\"factura\"*");  // "mis" is a stop word; the plural is off
  CHECK(fts5_match(build_kb_query("la factura", {}, KbFlavour::plain)) == "(\"factura\"*)");
}

TEST_CASE("kb query: no FTS5 syntax gets through") {
  // Operators, column filters, quotes and parentheses are not words: only letters and digits are.
  const std::string m = fts5_match(build_kb_query("title:router\" OR NEAR(a b) ^hack -x", {}, KbFlavour::porter));
  CHECK(m == "(\"title\") OR (\"router\") OR (\"near\") OR (\"hack\")");
  // A synonym value with a quote is quoted too (fold_words keeps only letters and digits anyway).
  CHECK(fts5_group_match(KbGroup{"x", {{"a\"b", false}}}) == "\"a\"\"b\"");
}

TEST_CASE("kb query: confidence is the share of the question matched, weak when one of several") {
  CHECK(kb_match_confidence(0, 0) == 0);
  CHECK(kb_match_confidence(1, 1) == 1);
  CHECK(kb_match_confidence(2, 2) == 1);
  CHECK(kb_match_confidence(1, 2) == doctest::Approx(0.25));
  CHECK(kb_match_confidence(2, 3) == doctest::Approx(2.0 / 3));
}

TEST_CASE("kb article rules: what the edges refuse, in words") {
  KbArticle a{"kb_hours", "Opening hours", "Nine to five.", {"Hours", " open ", "hours", ""}, "en"};
  CHECK_FALSE(check_kb_article(a));
  CHECK(normalise_kb_keywords(a.keywords) == std::vector<std::string>{"hours", "open"});
  auto problem = [](KbArticle x, bool need_id = true) { auto p = check_kb_article(x, need_id); return p ? p->field : std::string(); };
  KbArticle b = a;
  b.id = "";
  CHECK(problem(b) == "id");
  CHECK(problem(b, false).empty());
  b = a;
  b.title = "  ";
  CHECK(problem(b) == "title");
  b.title = std::string(kKbMaxTitleChars, 'x');
  CHECK(problem(b).empty());
  b.title = std::string(kKbMaxTitleChars + 1, 'x');
  CHECK(problem(b) == "title");
  b.title = "two\nlines";
  CHECK(problem(b) == "title");
  b = a;
  b.body = "";
  CHECK(problem(b) == "body");
  b.body = "line one\nline two\ttab";
  CHECK(problem(b).empty());
  // Code points, not bytes: 20,000 "é" (40,000 bytes) are allowed.
  std::string accents;
  for (std::size_t i = 0; i < kKbMaxBodyChars; ++i) accents += "\xC3\xA9";
  b.body = accents;
  CHECK(problem(b).empty());
  b.body += "x";
  CHECK(problem(b) == "body");
  b = a;
  b.category = std::string(kKbMaxCategoryChars + 1, 'c');
  CHECK(problem(b) == "category");
  b = a;
  b.keywords.assign(kKbMaxKeywords + 1, "k");
  CHECK(problem(b) == "keywords");
  for (const char* lang : {"EN", "eng", "e", "e1"}) {
    b = a;
    b.language = lang;
    CHECK(problem(b) == "language");
  }
  b.language = "";
  CHECK(problem(b).empty());
  CHECK(kb_uses_porter("en"));
  CHECK(kb_uses_porter(""));
  CHECK_FALSE(kb_uses_porter("es"));
}
