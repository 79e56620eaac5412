#include "agent/http/request_head.h"

#include <algorithm>
#include <limits>

namespace vitals::http {

namespace {

constexpr std::size_t kMaxChunkLine = 4096;  // a size line with extensions, a trailer line

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// RFC 9110 5.6.2 tchar.
bool IsTokenChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

// field-vchar, SP and HTAB (RFC 9110 5.5): no NUL, CR, LF or other control.
bool IsFieldValueByte(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = Lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `each` with every non-empty element of a comma-separated list
// (RFC 9110 5.6.1), trimmed.
template <class F>
void ForEachListElement(std::string_view value, F each) {
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view element = TrimOws(value.substr(0, comma));
    if (!element.empty()) {
      each(element);
    }
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
  }
}

// uri-host [":" port], loosely: the characters a reg-name, an IP literal and
// a port may use. Empty is allowed (RFC 9112 3.2).
bool IsHostValue(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("-._~!$&'()*+,;=:[]%").find(c) != std::string_view::npos;
  });
}

HeadError Bad(std::string reason) { return HeadError{400, std::move(reason)}; }

}  // namespace

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string_view RequestHead::Header(std::string_view name) const {
  for (const HeaderField& f : headers) {
    if (IEquals(f.name, name)) {
      return f.value;
    }
  }
  return {};
}

std::size_t FindHeadEnd(std::string_view data, std::size_t* scanned) {
  std::size_t i = *scanned;
  while ((i = data.find('\n', i)) != std::string_view::npos) {
    if (i + 1 >= data.size()) {
      break;
    }
    if (data[i + 1] == '\n') {
      return i + 2;
    }
    if (data[i + 1] == '\r') {
      if (i + 2 >= data.size()) {
        break;
      }
      if (data[i + 2] == '\n') {
        return i + 3;
      }
    }
    ++i;
  }
  *scanned = i == std::string_view::npos ? data.size() : i;
  return std::string_view::npos;
}

std::size_t LeadingEmptyLines(std::string_view data) {
  std::size_t i = 0;
  while (i < data.size()) {
    if (data[i] == '\n') {
      ++i;
    } else if (data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n') {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

bool DecodePath(std::string_view raw, std::string* out) {
  std::string decoded;
  decoded.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      int hi = i + 2 < raw.size() ? HexValue(raw[i + 1]) : -1;
      int lo = i + 2 < raw.size() ? HexValue(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return false;
      }
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return false;  // NUL, CR, LF...: never part of a path we serve
    }
    decoded += c;
  }
  // Remove dot segments: "/a/./b/../c" is "/a/c".
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  std::string_view rest = decoded;
  if (!rest.empty() && rest.front() == '/') {
    rest.remove_prefix(1);
  }
  for (;;) {
    std::size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    if (segment == ".") {
      trailing_slash = true;
    } else if (segment == "..") {
      if (!segments.empty()) {
        segments.pop_back();
      }
      trailing_slash = true;
    } else {
      segments.push_back(segment);
      trailing_slash = false;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  out->assign("/");
  for (std::size_t i = 0; i < segments.size(); ++i) {
    out->append(i == 0 ? "" : "/").append(segments[i]);
  }
  if (trailing_slash && !segments.empty()) {
    out->append("/");
  }
  return true;
}

std::variant<RequestHead, HeadError> ParseRequestHead(std::string_view head) {
  RequestHead r;
  // Lines, each without its CRLF or LF; a CR anywhere else is a bare CR.
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    std::size_t lf = head.find('\n');
    if (lf == std::string_view::npos) {
      return Bad("the request head does not end with an empty line");
    }
    std::string_view line = head.substr(0, lf);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.find('\r') != std::string_view::npos) {
      return Bad("a bare CR in the request head");
    }
    head.remove_prefix(lf + 1);
    if (line.empty()) {
      break;
    }
    lines.push_back(line);
  }
  if (lines.empty()) {
    return Bad("no request line");
  }

  // Request line: method SP request-target SP HTTP-version.
  std::string_view line = lines[0];
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Bad("the request line is not \"METHOD target HTTP/1.1\"");
  }
  r.method = line.substr(0, sp1);
  r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return Bad("the request line is not \"METHOD target HTTP/1.1\"");
  }
  if (version[5] != '1') {
    return HeadError{505, "only HTTP/1.0 and HTTP/1.1 are served"};
  }
  r.minor_version = version[7] - '0';
  if (!IsToken(r.method)) {
    return Bad("the method is not a token");
  }
  if (r.target.empty() || !std::all_of(r.target.begin(), r.target.end(), [](char c) {
        return c > 0x20 && c < 0x7f;
      })) {
    return Bad("the request target has a byte outside visible ASCII");
  }

  // Header fields.
  int hosts = 0;
  std::string_view host;
  bool has_length = false;
  bool has_encoding = false;
  bool close = false;
  bool keep_alive = false;
  std::vector<std::string_view> codings;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view field = lines[i];
    if (field.front() == ' ' || field.front() == '\t') {
      return Bad("obsolete line folding in the request head");
    }
    std::size_t colon = field.find(':');
    if (colon == std::string_view::npos) {
      return Bad("a header line without a colon");
    }
    std::string_view name = field.substr(0, colon);
    if (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
      return Bad("whitespace between a header name and its colon");
    }
    if (!IsToken(name)) {
      return Bad("a header name that is not a token");
    }
    std::string_view value = TrimOws(field.substr(colon + 1));
    if (!std::all_of(value.begin(), value.end(),
                     [](char c) { return IsFieldValueByte(static_cast<unsigned char>(c)); })) {
      return Bad("a control character in the value of " + std::string(name));
    }
    r.headers.push_back({name, value});

    if (IEquals(name, "Host")) {
      ++hosts;
      host = value;
    } else if (IEquals(name, "Content-Length")) {
      bool valid = true;
      ForEachListElement(value, [&](std::string_view n) {
        std::uint64_t v = 0;
        for (char c : n) {
          if (c < '0' || c > '9') {
            valid = false;
            return;
          }
          // Too big to hold: the server's body limit refuses it (413).
          v = v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10
                  ? std::numeric_limits<std::uint64_t>::max()
                  : v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (has_length && v != r.content_length) {
          valid = false;
        }
        has_length = true;
        r.content_length = v;
      });
      if (!valid || value.empty()) {
        return Bad("Content-Length values that are not one number");
      }
    } else if (IEquals(name, "Transfer-Encoding")) {
      has_encoding = true;
      ForEachListElement(value, [&](std::string_view c) { codings.push_back(c); });
    } else if (IEquals(name, "Connection")) {
      ForEachListElement(value, [&](std::string_view option) {
        close = close || IEquals(option, "close");
        keep_alive = keep_alive || IEquals(option, "keep-alive");
      });
    } else if (IEquals(name, "Expect") && r.minor_version >= 1) {
      // HTTP/1.0 clients cannot ask this (RFC 9110 10.1.1: ignored).
      if (!IEquals(value, "100-continue")) {
        return HeadError{417, "the only expectation served is 100-continue"};
      }
      r.expect_continue = true;
    }
  }

  // Framing (RFC 9112 6).
  if (has_encoding) {
    if (r.minor_version == 0) {
      return Bad("Transfer-Encoding in an HTTP/1.0 request");
    }
    if (has_length) {
      return Bad("both Content-Length and Transfer-Encoding");
    }
    if (codings.empty() || !IEquals(codings.back(), "chunked")) {
      return Bad("Transfer-Encoding must end with chunked");
    }
    for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
      if (IEquals(codings[i], "chunked")) {
        return Bad("Transfer-Encoding applies chunked more than once");
      }
    }
    if (codings.size() > 1) {
      return HeadError{501, "the only transfer coding served is chunked"};
    }
    r.chunked = true;
  }
  r.keep_alive = !close && (r.minor_version >= 1 || keep_alive);

  // Host (RFC 9112 3.2).
  if (hosts > 1 || (hosts == 0 && r.minor_version >= 1)) {
    return Bad(hosts > 1 ? "more than one Host header" : "HTTP/1.1 without a Host header");
  }
  if (!IsHostValue(host)) {
    return Bad("the Host header is not a host[:port]");
  }

  // Request target (RFC 9112 3.2): origin-form, absolute-form, asterisk-form.
  std::string_view target = r.target;
  if (target == "*") {
    if (r.method != "OPTIONS") {
      return Bad("the target \"*\" is only for OPTIONS");
    }
    r.path = "*";
    return r;
  }
  if (target.find('#') != std::string_view::npos) {
    return Bad("a fragment (#) in the request target");
  }
  if (target.front() != '/') {
    std::size_t scheme_end = target.find("://");
    std::string_view scheme = target.substr(0, scheme_end);
    if (scheme_end == std::string_view::npos ||
        !(IEquals(scheme, "http") || IEquals(scheme, "https"))) {
      return Bad("the request target is neither a path nor an http(s) URL");
    }
    target.remove_prefix(scheme_end + 3);
    std::size_t authority_end = target.find_first_of("/?");
    std::string_view authority = target.substr(0, authority_end);
    if (authority.empty() || !IsHostValue(authority) ||
        authority.find('@') != std::string_view::npos) {
      return Bad("the request target's authority is not a host[:port]");
    }
    // RFC 9112 3.2.2: the path of an absolute-form target is what is served.
    target = authority_end == std::string_view::npos ? std::string_view() : target.substr(authority_end);
  }
  std::size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  if (question != std::string_view::npos) {
    r.query = target.substr(question + 1);
  }
  if (raw_path.empty()) {
    raw_path = "/";
  }
  if (!DecodePath(raw_path, &r.path)) {
    return Bad("the request path has a bad %-escape, NUL or another control character");
  }
  return r;
}

std::variant<std::unique_ptr<Request>, HeadError> Request::Parse(std::string head) {
  std::unique_ptr<Request> request(new Request());
  request->text_ = std::move(head);  // on the heap, so the views stay valid
  auto parsed = ParseRequestHead(request->text_);
  if (auto* error = std::get_if<HeadError>(&parsed)) {
    return std::move(*error);
  }
  request->head_ = std::move(std::get<RequestHead>(parsed));
  return request;
}

ChunkedDecoder::Status ChunkedDecoder::Feed(std::string_view in, std::size_t* consumed,
                                            std::string* body) {
  std::size_t i = 0;
  auto malformed = [&] {
    *consumed = i;
    return Status::kMalformed;
  };
  while (i < in.size() && state_ != State::kDone) {
    char c = in[i];
    switch (state_) {
      case State::kSize: {
        int v = HexValue(c);
        if (v < 0) {
          if (size_digits_ == 0) {
            return malformed();
          }
          state_ = State::kLine;
          continue;
        }
        if (++size_digits_ > 15) {
          return malformed();  // past any body we would take
        }
        chunk_left_ = chunk_left_ * 16 + static_cast<std::uint64_t>(v);
        ++line_bytes_;
        ++i;
        break;
      }
      case State::kLine:  // chunk extensions (ignored), then the line end
        ++i;
        if (c != '\n') {
          if (++line_bytes_ > kMaxChunkLine) {
            return malformed();
          }
          break;
        }
        line_bytes_ = 0;
        if (chunk_left_ == 0) {
          state_ = State::kTrailer;
          line_empty_ = true;
        } else if (chunk_left_ > max_body_ - total_) {
          *consumed = i;
          return Status::kTooLarge;
        } else {
          state_ = State::kData;
        }
        break;
      case State::kData: {
        std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(chunk_left_, in.size() - i));
        body->append(in.substr(i, n));
        i += n;
        chunk_left_ -= n;
        total_ += n;
        if (chunk_left_ == 0) {
          state_ = State::kDataEnd;
          line_bytes_ = 0;
        }
        break;
      }
      case State::kDataEnd:  // CRLF (or LF) after the data
        if (c == '\r' && line_bytes_ == 0) {
          line_bytes_ = 1;
          ++i;
        } else if (c == '\n') {
          ++i;
          state_ = State::kSize;
          size_digits_ = 0;
          line_bytes_ = 0;
        } else {
          return malformed();
        }
        break;
      case State::kTrailer:  // trailer fields (ignored) until an empty line
        ++i;
        if (c == '\n') {
          if (line_empty_) {
            state_ = State::kDone;
          }
          line_empty_ = true;
          line_bytes_ = 0;
        } else {
          line_empty_ = line_empty_ && c == '\r';
          if (++line_bytes_ > kMaxChunkLine) {
            return malformed();
          }
        }
        break;
      case State::kDone:
        break;
    }
  }
  *consumed = i;
  return state_ == State::kDone ? Status::kDone : Status::kMore;
}

}  // namespace vitals::http
