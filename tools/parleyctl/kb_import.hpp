// tools/parleyctl/kb_import.hpp: knowledge-base import and export formats (parleyctl kb import /
// kb export; issue 10).
//
// JSON: an array of articles, or an object {"articles": [...]} (what GET /api/v1/kb answers):
//   {"id"?: string, "title": string, "body": string, "keywords"?: [string], "category"?: string,
//    "language"?: "en" | "" | ..., "active"?: bool}
// A missing id is derived from the title; "updated_at" and "usage_count" (in exports of the REST
// API) are accepted and ignored: the store keeps its own.
//
// Markdown, two shapes:
//  - one article per file with front matter (what kb export writes):
//      ---
//      id: kb_refunds            (optional: derived from the title)
//      title: Refunds
//      category: Billing
//      keywords: refund, money back      (or a JSON array: ["a, b", "c"])
//      language: en
//      active: true              (true/false/yes/no)
//      ---
//      The body, to the end of the file.
//    A value may be a JSON string ("...") when it has leading blanks or quotes.
//  - several articles: every "## Title" heading starts one, its body runs to the next "#"/"##"
//    heading; a body line "Keywords: a, b" (or "Tags: ...") sets the keywords. Headings inside
//    ``` fences are text. Anything before the first "##" is ignored.
//
// Every article then meets parley/kb_admin.hpp's rules (the REST API's): keywords lower-cased and
// trimmed, ids unique within the input. Errors name the line ("line 12: title: must not be
// empty"); the command adds the file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parley/assistant_rules.hpp"
#include "parley/result.hpp"

namespace parley::ctl {

// An article and the line (1-based) it starts on in its file.
struct ParsedArticle {
  KbArticle article;
  int line = 1;
};

Result<std::vector<ParsedArticle>> parse_kb_json_lines(std::string_view text);
Result<std::vector<ParsedArticle>> parse_kb_markdown_lines(std::string_view text);
// Chooses by extension (.json, .md/.markdown), else by content ('[' or '{' first means JSON).
Result<std::vector<ParsedArticle>> parse_kb_file_lines(const std::string& name, std::string_view text);

// The same, articles only.
Result<std::vector<KbArticle>> parse_kb_json(std::string_view text);
Result<std::vector<KbArticle>> parse_kb_markdown(std::string_view text);
Result<std::vector<KbArticle>> parse_kb_file(const std::string& name, std::string_view text);

// "Opening Hours & Holidays!" -> "opening-hours-holidays" (ASCII letters and digits, '-' between).
std::string slugify(std::string_view title);

// ---- export ----
// A JSON array (pretty, one article per object) that parse_kb_json reads back to the same articles.
std::string kb_export_json(const std::vector<KbArticle>& articles);
// One article as a Markdown file with front matter that parse_kb_markdown reads back to it.
std::string kb_export_markdown(const KbArticle& article);
// A file name for the article's Markdown file: its id with anything but [A-Za-z0-9._-] as '_', + ".md".
std::string kb_export_file_name(const KbArticle& article);

}  // namespace parley::ctl
