#pragma once
// The status page's stylesheet and script, embedded in the binary at build
// time from agent/status/static/ (embed_assets.cmake), so vitals serves them
// itself: no external asset, and the Content-Security-Policy allows only
// 'self'.

#include <span>
#include <string_view>

namespace vitals::status {

struct Asset {
  std::string_view name;          // "status.css": served at /static/<name>
  std::string_view content_type;  // "text/css; charset=utf-8"
  std::string_view hash;          // 12 hex digits of its SHA-256, for ?v= in links
  std::string_view body;
};

std::span<const Asset> Assets();
// The asset named `name`, or null.
const Asset* FindAsset(std::string_view name);

}  // namespace vitals::status
