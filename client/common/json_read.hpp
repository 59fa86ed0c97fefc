// json_read.hpp: exception-free reads of members of server JSON (pure C++, header only), for what
// the typed decoders of parley/replies.hpp and parley/model.hpp do not cover (event payloads,
// HTTP answers). A missing member, a member of another type or a non-object reads as absent
// ("" / 0 / the fallback), never as an abort (the WebAssembly build has no exceptions). Both apps
// use these; keep no other copies.
#pragma once

#include <cstdint>
#include <string>

#include "parley/model.hpp"

namespace parley::client {

// The member `key` of `data`, or nullptr (also when `data` is not an object).
inline const Json* member(const Json& data, const char* key) {
  if (!data.is_object()) return nullptr;
  const auto it = data.find(key);
  return it == data.end() ? nullptr : &*it;
}

// The string member `key`; "" when absent or not a string.
inline std::string string_member(const Json& data, const char* key) {
  const Json* v = member(data, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

// The unsigned integer member `key`; 0 when absent or not one.
inline Seq seq_member(const Json& data, const char* key) {
  const Json* v = member(data, key);
  return v && v->is_number_unsigned() ? v->get<Seq>() : 0;
}

// The integer member `key`; 0 when absent or not an integer.
inline std::int64_t int_member(const Json& data, const char* key) {
  const Json* v = member(data, key);
  return v && v->is_number_integer() ? v->get<std::int64_t>() : 0;
}

// The boolean member `key`; `fallback` when absent or not a boolean.
inline bool bool_member(const Json& data, const char* key, bool fallback) {
  const Json* v = member(data, key);
  return v && v->is_boolean() ? v->get<bool>() : fallback;
}

}  // namespace parley::client
