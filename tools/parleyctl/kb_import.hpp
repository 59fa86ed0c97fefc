// tools/parleyctl/kb_import.hpp: knowledge-base import formats.
//
// JSON: an array of {"id"?: string, "title": string, "body": string, "keywords"?: [string]}; a
// missing id is derived from the title.
//
// Markdown: every "## Title" heading starts an article, its body runs to the next "#"/"##"
// heading. A body line "Keywords: a, b, c" (or "Tags: ...") sets the keywords and is not part of
// the body. Headings inside ``` fences are text. Anything before the first "##" is ignored.
//
// Keywords are lower-cased and trimmed; ids must be unique within a file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parley/assistant_rules.hpp"
#include "parley/result.hpp"

namespace parley::ctl {

Result<std::vector<KbArticle>> parse_kb_json(std::string_view text);
Result<std::vector<KbArticle>> parse_kb_markdown(std::string_view text);
// Chooses by extension (.json, .md/.markdown), else by content ('[' first means JSON).
Result<std::vector<KbArticle>> parse_kb_file(const std::string& name, std::string_view text);

// "Opening Hours & Holidays!" -> "opening-hours-holidays" (ASCII letters and digits, '-' between).
std::string slugify(std::string_view title);

}  // namespace parley::ctl
