// tools/parleyctl/help.cpp: parleyctl's help texts (--help, and after a usage error).
#include <map>
#include <string>

#include "ctl.hpp"

namespace parley::ctl {

const char* const kHelpMain = R"(parleyctl: administer a Parley database.

Usage: parleyctl [--db PATH] [--tenant SLUG] COMMAND ...

Global options:
  --db PATH        database file (default: $PARLEY_DB, else data/parley.db); created if missing
  --tenant SLUG    tenant to work on (default: "default")
  -h, --help       help (also after any command: parleyctl users create --help)

Commands:
  users list                                   staff accounts of the tenant
  users create USERNAME --role ROLE [...]      add a staff account (admin|supervisor|agent)
  users set-password USERNAME [...]           change a password (ends the user's sessions)
  users disable|enable USERNAME               stop (and end the sessions of) or allow a staff account
  tenant show                                  the tenant and its settings (JSON)
  tenant set KEY VALUE                         change one setting
  tenant create SLUG --name NAME               add a tenant
  tenant list                                  every tenant
  kb import FILE|DIR [--merge] [--dry-run]     replace the knowledge base (JSON or Markdown)
  kb export [--format json|md] [--out PATH]    write the knowledge base as import files
  kb list                                      knowledge-base articles
  apikey create NAME [--scope S,...]           new API key (printed once; default scope: sync)
  apikey list                                  the tenant's keys: id, scopes, last use, revoked
  apikey revoke ID                             revoke a key (the relay refuses it within a second)
  conversations list [--status S] [--search Q] [--limit N]
  conversations transcript ID                  a conversation, readable (staff view)
  export [--out FILE] [--files DIR]            every conversation as JSON Lines (+ attachment bytes)
  backup DEST                                  consistent copy of the (live) database

Exit codes: 0 ok, 1 failure, 2 usage error.
)";

const std::map<std::string, std::string>& help_texts() {
  static const std::map<std::string, std::string> h = {
      {"users", R"(Usage: parleyctl users list
       parleyctl users create USERNAME --role admin|supervisor|agent [--name NAME]
                              [--password PW | --password-stdin]
       parleyctl users set-password USERNAME [--password PW | --password-stdin]
       parleyctl users disable|enable USERNAME
Without a password option a random password is generated and printed once.
Passwords need at least 8 characters. Prefer --password-stdin: --password shows in `ps`.
)"},
      {"users list",
       "Usage: parleyctl users list\nLists the tenant's staff accounts (never their password hashes).\n"},
      {"users create", R"(Usage: parleyctl users create USERNAME --role admin|supervisor|agent [--name NAME]
                              [--password PW | --password-stdin]
USERNAME: 1-64 of A-Z a-z 0-9 . _ - @, unique in the whole deployment. NAME defaults to USERNAME.
Without a password option a random password is generated and printed once.
)"},
      {"users set-password",
       R"(Usage: parleyctl users set-password USERNAME [--password PW | --password-stdin]
Sets a new password and ends every session of the user. Without a password option a random
password is generated and printed once.
)"},
      {"users disable", "Usage: parleyctl users disable USERNAME\nThe user can no longer log in; every session of theirs ends (a running relay closes their\nsockets within a second).\n"},
      {"users enable", "Usage: parleyctl users enable USERNAME\nLets a disabled user log in again.\n"},
      {"tenant", R"(Usage: parleyctl tenant show
       parleyctl tenant set KEY VALUE
       parleyctl tenant create SLUG --name NAME
       parleyctl tenant list
)"},
      {"tenant show",
       "Usage: parleyctl tenant show\nPrints the tenant (id, slug, name, settings) as JSON.\n"},
      {"tenant list", "Usage: parleyctl tenant list\n"},
      {"tenant set", R"(Usage: parleyctl tenant set KEY VALUE
Keys: title, welcome, brand_color (#rrggbb), position (right|left), allowed_sites, prechat_form
(true|false), time_zone (IANA name), assistant_enabled (true|false), assistant_name,
handoff_after_turns (1-50), issue_types.
VALUE is read as JSON when it parses (true, 5, ["a","b"]), else as a string; text settings always
take VALUE as a string. allowed_sites and issue_types also accept a comma-separated list:
  parleyctl tenant set allowed_sites https://shop.example.com,https://www.example.com
)"},
      {"tenant create",
       "Usage: parleyctl tenant create SLUG --name NAME\nSLUG: 1-40 of a-z 0-9 -, starting with a letter or "
       "digit.\n"},
      {"kb", "Usage: parleyctl kb import FILE|DIRECTORY [--merge] [--dry-run]\n       parleyctl kb export [--format json|md] [--out PATH]\n       parleyctl kb list\n"},
      {"kb import", R"(Usage: parleyctl kb import FILE|DIRECTORY [--merge] [--dry-run]
Replaces the tenant's knowledge base with the articles in FILE ('-' = stdin) or in every .md,
.markdown and .json file under DIRECTORY. Articles that stay keep their usage counts.
  JSON:     [{"id": "hours", "title": "Opening hours", "body": "...", "keywords": ["open"],
              "category": "General", "language": "en", "active": true}, ...]
  Markdown: one article per file with front matter between '---' lines (id, title, category,
            keywords, language, active) and the body after it; or "## Title" sections, each
            an article, with a "Keywords: a, b" line for its keywords.
  --merge    add and change the articles given, keep the tenant's others
  --dry-run  check everything and say what would change; write nothing
Errors name the file and line. Nothing is written unless every file is right.
)"},
      {"kb export", R"(Usage: parleyctl kb export [--format json|md] [--out PATH]
Writes the tenant's articles: JSON to stdout (or --out FILE), or with --format md one Markdown
file with front matter per article into the directory --out. kb import reads both back.
)"},
      {"kb list", "Usage: parleyctl kb list\n"},
      {"apikey", R"(Usage: parleyctl apikey create NAME [--scope sync,read,write,admin]
       parleyctl apikey list
       parleyctl apikey revoke ID
Scopes: sync (the mirror endpoints /api/chat/sync and /api/chat/handoff), read (REST reads),
write (REST writes), admin (users, keys, settings). Default: sync.
)"},
      {"apikey create", R"(Usage: parleyctl apikey create NAME [--scope sync,read,write,admin]
Creates an API key for the tenant and prints it once (only its SHA-256 is stored).
--scope: comma-separated, any of sync (the mirror endpoints /api/chat/sync and /api/chat/handoff),
read (REST reads), write (REST writes), admin (users, keys, settings). Default: sync.
)"},
      {"apikey list",
       "Usage: parleyctl apikey list\nThe tenant's API keys (id, name, scopes, created, last used, revoked); "
       "never the keys.\n"},
      {"apikey revoke",
       "Usage: parleyctl apikey revoke ID\nRevokes the key with this id (see apikey list). A running relay "
       "refuses it from then on.\n"},
      {"conversations",
       R"(Usage: parleyctl conversations list [--status bot|pending|active|resolved] [--search TEXT] [--limit N]
       parleyctl conversations transcript ID
)"},
      {"conversations list",
       R"(Usage: parleyctl conversations list [--status bot|pending|active|resolved] [--search TEXT] [--limit N]
Newest activity first. --search matches words in message text (full-text). --limit: 1-10000, default 50.
)"},
      {"conversations transcript",
       "Usage: parleyctl conversations transcript ID\nEvery message and event of the conversation, staff "
       "view (notes included).\n"},
      {"export", R"(Usage: parleyctl export [--out FILE] [--files DIR]
Writes every conversation of the tenant as JSON Lines, one object per line:
  {"conversation": {...}, "messages": [...], "events": [...]}
FILE '-' or no --out: standard output. The export is one consistent snapshot. A file is written
to FILE.partial first and renamed when complete. Progress goes to stderr.
Each line also has "attachments": [{id, name, content_type, size, sha256, file, ...}]; with
--files DIR the bytes are copied to DIR/<file> (DIR/files/<xx>/<sha256>).
)"},
      {"backup", R"(Usage: parleyctl backup DEST
Copies the database to the new file DEST with SQLite's online backup API: a consistent snapshot,
safe while the relay runs. Never overwrites DEST. (Copying the database file itself is not a backup.)
Attachment bytes (files beside the database, <dir of the database>/files) named by the copy go to
DEST.files in the same layout. To restore: DEST becomes parley.db and DEST.files becomes files/.
)"},
  };
  return h;
}

}  // namespace parley::ctl
