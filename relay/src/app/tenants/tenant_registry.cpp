// Tenants, settings and knowledge bases (tenant_registry.hpp).
#include "app/tenants/tenant_registry.hpp"

#include <algorithm>

#include "core/log.hpp"

namespace parley::relay {

std::optional<Error> TenantRegistry::load(StoreReader& reader) {
  auto tenants = reader.load_tenants();
  if (!tenants) return tenants.error();
  for (Tenant& t : *tenants) {
    auto kb = reader.load_kb(t.id);
    if (!kb) return kb.error();
    auto syn = reader.load_kb_synonyms(t.id);
    if (!syn) return syn.error();
    synonyms_[t.id] = std::move(syn).value();
    set_kb(t.id, std::move(kb).value());
    tenants_[t.id] = std::move(t);
  }
  if (!tenants_.count(kDefaultTenantId)) return make_error(ErrorCode::internal, "default tenant missing");
  return std::nullopt;
}

void TenantRegistry::reload(StoreReader& reader, const std::string& id) {
  if (id.empty()) {
    auto tenants = reader.load_tenants();
    if (!tenants) {
      log::error("could not reload the tenants", {{"error", tenants.error().message}});
      return;
    }
    for (const Tenant& t : *tenants) reload(reader, t.id);
    return;
  }
  auto t = reader.find_tenant(id);
  auto kb = reader.load_kb(id);
  auto syn = reader.load_kb_synonyms(id);
  if (!t || !kb || !syn) {
    log::error("could not reload a tenant", {{"tenant", id}});
    return;
  }
  if (!t->has_value()) return;
  const bool known = tenants_.count(id) > 0;
  tenants_[id] = std::move(**t);
  synonyms_[id] = std::move(syn).value();
  set_kb(id, std::move(kb).value());
  log::info(known ? "tenant reloaded" : "tenant added", {{"tenant", id}, {"articles", kb_[id].size()}});
}

const Tenant* TenantRegistry::find(const std::string& id_or_slug) const {
  if (auto it = tenants_.find(id_or_slug); it != tenants_.end()) return &it->second;
  for (const auto& [id, t] : tenants_) {
    if (t.slug == id_or_slug) return &t;
  }
  return nullptr;
}

const Tenant& TenantRegistry::default_tenant() const { return tenants_.at(kDefaultTenantId); }

std::vector<const Tenant*> TenantRegistry::all() const {
  std::vector<const Tenant*> out;
  for (const auto& [id, t] : tenants_) out.push_back(&t);
  return out;
}

std::vector<std::string> TenantRegistry::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, t] : tenants_) out.push_back(id);
  return out;
}

const std::vector<KbArticle>& TenantRegistry::kb(const std::string& tenant_id) const {
  static const std::vector<KbArticle> kEmpty;
  auto it = kb_.find(tenant_id);
  return it == kb_.end() ? kEmpty : it->second;
}

const KbIndex& TenantRegistry::kb_index(const std::string& tenant_id) const {
  auto it = kb_index_.find(tenant_id);
  if (it == kb_index_.end()) it = kb_index_.emplace(tenant_id, KbIndex(kb(tenant_id), kb_synonyms(tenant_id))).first;
  return it->second;
}

const Synonyms& TenantRegistry::kb_synonyms(const std::string& tenant_id) const {
  static const Synonyms kNone;
  auto it = synonyms_.find(tenant_id);
  return it == synonyms_.end() ? kNone : it->second;
}

void TenantRegistry::reload_kb(StoreReader& reader, const std::string& tenant_id) {
  auto kb = reader.load_kb(tenant_id);
  auto syn = reader.load_kb_synonyms(tenant_id);
  if (!kb || !syn) {
    log::error("could not reload a knowledge base", {{"tenant", tenant_id}});
    return;
  }
  synonyms_[tenant_id] = std::move(syn).value();
  set_kb(tenant_id, std::move(kb).value());
}

void TenantRegistry::set_settings(const std::string& tenant_id, const TenantSettings& settings) {
  if (auto t = tenants_.find(tenant_id); t != tenants_.end()) t->second.settings = settings;
}

const std::vector<KbArticle>& TenantRegistry::kb_all(const std::string& tenant_id) const {
  static const std::vector<KbArticle> kEmpty;
  auto it = kb_all_.find(tenant_id);
  return it == kb_all_.end() ? kEmpty : it->second;
}

void TenantRegistry::set_kb(const std::string& tenant_id, std::vector<KbArticle> articles) {
  kb_all_[tenant_id] = articles;
  articles.erase(std::remove_if(articles.begin(), articles.end(), [](const KbArticle& a) { return !a.active; }),
                 articles.end());
  kb_[tenant_id] = std::move(articles);
  kb_index_.erase(tenant_id);
}

PublicTenantConfig TenantRegistry::public_config(const Tenant& t) {
  const TenantSettings& s = t.settings;
  PublicTenantConfig c;
  c.slug = t.slug;
  c.title = s.title;
  c.welcome = s.welcome;
  c.brand_color = s.brand_color;
  c.position = s.position;
  c.assistant_name = s.assistant_name;
  c.assistant_enabled = s.assistant_enabled;
  c.prechat_form = s.prechat_form;
  c.csat_question = s.csat_question;
  return c;
}

}  // namespace parley::relay
