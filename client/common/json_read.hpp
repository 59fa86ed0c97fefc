// json_read.hpp: exception-free reads of members of server JSON (pure C++, header only). A missing
// member, a member of another type or a non-object reads as absent ("" / 0), never as an abort
// (the WebAssembly build has no exceptions).
#pragma once

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

}  // namespace parley::client
