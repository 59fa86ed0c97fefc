// relay/src/app/tenants/tenant_registry.hpp: the tenants the relay serves, their settings and
// knowledge bases, as last read from or written to the store.
//
// Loop thread only. Loaded at start-up; changed by REST (update/replace: stored first, live once
// committed) and reloaded when another process (parleyctl) changed them (reload(): the change
// watcher calls it, see app/change_watch.hpp). Settings PATCHes merge field by field in the
// store, so two writers changing different fields never overwrite each other.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/store_api.hpp"
#include "parley/kb_search.hpp"
#include "parley/replies.hpp"
#include "parley/result.hpp"

namespace parley::relay {

class TenantRegistry {
 public:
  std::optional<Error> load(StoreReader& reader);
  // Re-reads one tenant (settings and knowledge base), or every tenant when `id` is "".
  void reload(StoreReader& reader, const std::string& id);

  const Tenant* find(const std::string& id_or_slug) const;  // nullptr when unknown
  const Tenant& default_tenant() const;
  std::vector<const Tenant*> all() const;
  std::vector<std::string> ids() const;
  // The tenant's ACTIVE articles, in order: what the assistant answers with and staff may share
  // (issue 10: an inactive article is kept, listed to admins over REST, but never used).
  const std::vector<KbArticle>& kb(const std::string& tenant_id) const;
  // The search index over kb(tenant_id) with the tenant's synonyms (parley/kb_search.hpp), built
  // on first use after a change; KbHit::index is an index into kb(tenant_id).
  const KbIndex& kb_index(const std::string& tenant_id) const;
  const Synonyms& kb_synonyms(const std::string& tenant_id) const;
  // Every article, inactive ones too, as last loaded (GET /api/v1/kb: what the assistant now has;
  // usage counts as of that load).
  const std::vector<KbArticle>& kb_all(const std::string& tenant_id) const;
  // Re-reads one tenant's articles and synonyms after a committed change of them.
  void reload_kb(StoreReader& reader, const std::string& tenant_id);

  // Makes a committed change live.
  void set_settings(const std::string& tenant_id, const TenantSettings& settings);
  void set_kb(const std::string& tenant_id, std::vector<KbArticle> articles);  // inactive ones are dropped

  // What any web page may know about a tenant (hello's "tenant" and GET /api/config): the one
  // place it is built.
  static PublicTenantConfig public_config(const Tenant& t);

 private:
  std::map<std::string, Tenant> tenants_;  // by id
  std::map<std::string, std::vector<KbArticle>> kb_;  // active articles only
  std::map<std::string, std::vector<KbArticle>> kb_all_;
  std::map<std::string, Synonyms> synonyms_;
  mutable std::map<std::string, KbIndex> kb_index_;  // a cache: erased when kb_ changes
};

}  // namespace parley::relay
