// thumbs.hpp: image attachments drawn inline (issue 9; browser only, main thread).
//
// get() returns the thumbnail of an image attachment, starting its download the first time:
// fetch with the given headers (the widget's visitor token; staff send their cookie), decode
// with the browser, scale to fit max_w x max_h device pixels, upload into a GL texture. While it
// loads, or when it failed (not an image, no connection), it returns nullptr and the views show
// the file's name, type and size only. version() moves when a thumbnail became ready, so views
// lay out again. Textures live for the page's lifetime (a conversation shows a handful).
#pragma once

#include <cstdint>
#include <string>

namespace parley::client::thumbs {

struct Thumb {
  unsigned texture = 0;  // GL name
  int w = 0, h = 0;      // device px
};

const Thumb* get(const std::string& attachment_id, const std::string& headers_json, int max_w, int max_h);
std::uint64_t version();
// For window.parley.state(): how many thumbnails are shown / failed.
int ready_count();
int failed_count();

}  // namespace parley::client::thumbs
