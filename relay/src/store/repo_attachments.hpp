// relay/src/store/repo_attachments.hpp: the attachments table (schema v10; store_api.hpp
// "Attachments"). Writers run on the writer thread inside its savepoints; readers on their own
// connection. Every read filters by tenant (rule 6).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/store_api.hpp"
#include "store/db.hpp"

namespace parley::relay {

std::optional<Error> insert_attachment(Db&, const Attachment&);
Result<std::optional<Attachment>> find_attachment(Db&, const std::string& tenant_id, const std::string& id);
Result<std::vector<std::string>> attachment_hashes(Db&);
// The conversation's attachments, oldest first (export). A database before v10 reads as none.
Result<std::vector<Attachment>> conversation_attachments(Db&, const std::string& tenant_id,
                                                         const std::string& conversation_id);

}  // namespace parley::relay
