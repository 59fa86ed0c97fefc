// text_cache.hpp: where rasterised text runs live in the text atlas (pure; tested natively).
//
// The browser draws each run (one line of text in one face and colour) once; the bitmap goes into
// a texture page of the atlas, and later frames draw the same rectangle again. This class only
// decides where: shelf packing inside fixed-size pages, up to `max_pages` pages, and when all are
// full the least recently used page that the current frame has not drawn from is emptied whole
// (its runs are rasterised again when next needed). It owns no textures: the caller creates a
// page's texture when insert() reports a new page, and clear()s after a lost GL context.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::client {

class RunCache {
 public:
  struct Slot {
    int page = -1;
    int x = 0, y = 0, w = 0, h = 0;  // texels in the page
  };

  // REQUIRES: page sizes > 0, max_pages >= 1.
  RunCache(int page_w, int page_h, int max_pages);

  // A new frame: runs found or inserted from now on are "in use" until the next begin_frame().
  void begin_frame() { ++frame_; }

  // The run stored under `key`, or nullptr; marks it used in this frame.
  const Slot* find(const std::string& key);

  // Room for a new w x h run under `key` (clamped to the page size). `new_page` is set when the
  // slot is on a page that did not exist before (create its texture) and `reused_page` when a page
  // was emptied to make room (its old runs are gone; the texels will be overwritten). nullopt when
  // every page is full and in use by this frame.
  std::optional<Slot> insert(const std::string& key, int w, int h, bool* new_page = nullptr,
                             bool* reused_page = nullptr);

  // Forgets every run and page (after a lost GL context, or a change of scale).
  void clear();

  int pages() const { return static_cast<int>(pages_.size()); }
  std::size_t runs() const { return slots_.size(); }
  std::uint64_t evictions() const { return evictions_; }
  int page_width() const { return page_w_; }
  int page_height() const { return page_h_; }

 private:
  struct Shelf {
    int y = 0, h = 0, x = 0;
  };
  struct Page {
    std::vector<Shelf> shelves;
    int bottom = 0;  // first free row below the last shelf
    std::uint64_t used = 0;
  };
  struct Entry {
    Slot slot;
  };
  bool place(Page& page, int w, int h, int& x, int& y) const;

  int page_w_, page_h_, max_pages_;
  std::vector<Page> pages_;
  std::unordered_map<std::string, Entry> slots_;
  std::uint64_t frame_ = 1;
  std::uint64_t evictions_ = 0;
};

}  // namespace parley::client
