#include "collectors/sysfs/textfile.h"

#include "collectors/procfs/go_text.h"
#include "text/utf8.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace vitals::sysfs {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsLabelStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsLabelChar(char c) { return IsLabelStart(c) || (c >= '0' && c <= '9'); }
bool IsNameStart(char c) { return IsLabelStart(c) || c == ':'; }
bool IsNameChar(char c) { return IsLabelChar(c) || c == ':'; }

bool EndsWith(std::string_view s, std::string_view suffix, std::size_t min_size) {
  return s.size() > min_size && s.substr(s.size() - suffix.size()) == suffix;
}
bool IsCount(std::string_view name) { return EndsWith(name, "_count", 6); }
bool IsSum(std::string_view name) { return EndsWith(name, "_sum", 4); }
bool IsBucket(std::string_view name) { return EndsWith(name, "_bucket", 7); }

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string QuoteByte(char c) {
  if (c == '\n') {
    return "'\\n'";
  }
  if (c == '\0') {
    return "'\\x00'";
  }
  return std::string("'") + c + "'";
}

// The parser: expfmt.TextParser's states, one method each, over a byte
// cursor. ReadByte() fails at the end of the text as bufio.Reader does, and
// every state but StartOfLine treats the end as "unexpected end of input".
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  // An empty string on success, else the error (with its line).
  std::string Run() {
    State state = State::kStartOfLine;
    while (state != State::kDone) {
      switch (state) {
        case State::kStartOfLine: state = StartOfLine(); break;
        case State::kStartComment: state = StartComment(); break;
        case State::kReadingMetricName: state = ReadingMetricName(); break;
        case State::kReadingLabels: state = ReadingLabels(); break;
        case State::kStartLabelName: state = StartLabelName(); break;
        case State::kStartLabelValue: state = StartLabelValue(); break;
        case State::kReadingValue: state = ReadingValue(); break;
        case State::kStartTimestamp: state = StartTimestamp(); break;
        case State::kReadingHelp: state = ReadingHelp(); break;
        case State::kReadingType: state = ReadingType(); break;
        case State::kDone: break;
      }
    }
    if (eof_ && error_.empty()) {
      Fail("unexpected end of input stream");
    }
    return error_;
  }

  // The families with samples, in the order first named.
  std::vector<TextFamily> TakeFamilies() {
    std::vector<TextFamily> out;
    out.reserve(families_.size());
    for (TextFamily& family : families_) {
      if (!family.metrics.empty()) {
        out.push_back(std::move(family));
      }
    }
    return out;
  }

 private:
  enum class State {
    kStartOfLine, kStartComment, kReadingMetricName, kReadingLabels, kStartLabelName,
    kStartLabelValue, kReadingValue, kStartTimestamp, kReadingHelp, kReadingType, kDone
  };

  bool ReadByte() {
    if (pos_ >= text_.size()) {
      byte_ = 0;
      eof_ = true;
      return false;
    }
    byte_ = text_[pos_++];
    return true;
  }
  bool Failed() const { return eof_ || !error_.empty(); }
  State Fail(std::string message) {
    error_ = "line " + std::to_string(line_) + ": " + std::move(message);
    return State::kDone;
  }

  void SkipBlankTab() {
    while (ReadByte() && IsBlank(byte_)) {
    }
  }
  void SkipBlankTabIfCurrentBlankTab() {
    if (IsBlank(byte_)) {
      SkipBlankTab();
    }
  }
  // The token starts at the current byte (already read); it ends before the
  // byte left current.
  void ReadTokenUntilWhitespace() {
    token_.clear();
    while (!Failed() && !IsBlank(byte_) && byte_ != '\n') {
      token_ += byte_;
      ReadByte();
    }
  }
  // The character escaped by a backslash, the current byte: \\ and \n (and
  // \" in a label value) are the only escapes; false after failing on another.
  bool AppendEscaped(bool quote) {
    if (byte_ == '\\' || (quote && byte_ == '"')) {
      token_ += byte_;
    } else if (byte_ == 'n') {
      token_ += '\n';
    } else {
      Fail(std::string("invalid escape sequence '\\") + byte_ + "'");
      return false;
    }
    return true;
  }
  void ReadTokenUntilNewline(bool escapes) {
    token_.clear();
    bool escaped = false;
    while (!Failed()) {
      if (escapes && escaped) {
        if (!AppendEscaped(false)) {
          return;
        }
        escaped = false;
      } else if (byte_ == '\n') {
        return;
      } else if (byte_ == '\\') {
        escaped = true;  // without escapes (TYPE) the backslash is dropped, as expfmt does
      } else {
        token_ += byte_;
      }
      ReadByte();
    }
  }
  template <class Start, class Continue>
  void ReadTokenAs(Start start, Continue more) {
    token_.clear();
    if (!start(byte_)) {
      return;
    }
    do {
      token_ += byte_;
    } while (ReadByte() && more(byte_));
  }
  void ReadTokenAsLabelValue() {
    token_.clear();
    bool escaped = false;
    while (ReadByte()) {
      if (escaped) {
        if (!AppendEscaped(true)) {
          return;
        }
        escaped = false;
        continue;
      }
      if (byte_ == '"') {
        return;
      }
      if (byte_ == '\n') {
        Fail("label value " + Quote(token_) + " contains unescaped new-line");
        return;
      }
      if (byte_ == '\\') {
        escaped = true;
      } else {
        token_ += byte_;
      }
    }
  }

  TextFamily& Family() { return families_[current_]; }

  // setOrCreateCurrentMF: the family named by token_, where a name ending in
  // _count/_sum (and _bucket) belongs to a summary (histogram) already typed.
  void SetOrCreateFamily() {
    is_count_ = is_sum_ = false;
    const std::string_view name = token_;
    if (auto it = by_name_.find(token_); it != by_name_.end()) {
      current_ = it->second;
      return;
    }
    auto try_base = [&](std::string_view base, TextType type) {
      if (base.size() == name.size()) {
        return false;
      }
      auto it = by_name_.find(std::string(base));
      if (it == by_name_.end() || families_[it->second].type != type ||
          !typed_[it->second]) {
        return false;
      }
      current_ = it->second;
      is_count_ = IsCount(name);
      is_sum_ = IsSum(name);
      return true;
    };
    const std::string_view summary_base =
        IsCount(name) ? name.substr(0, name.size() - 6)
                      : (IsSum(name) ? name.substr(0, name.size() - 4) : name);
    const std::string_view histogram_base =
        IsBucket(name) ? name.substr(0, name.size() - 7) : summary_base;
    if (try_base(summary_base, TextType::kSummary) ||
        try_base(histogram_base, TextType::kHistogram)) {
      return;
    }
    current_ = families_.size();
    families_.push_back(TextFamily{token_, std::nullopt, TextType::kUntyped, {}});
    typed_.push_back(false);
    by_name_.emplace(token_, current_);
  }
  bool Typed(TextType type) { return typed_[current_] && Family().type == type; }
  bool Grouped() { return Typed(TextType::kSummary) || Typed(TextType::kHistogram); }

  State StartOfLine() {
    ++line_;
    SkipBlankTab();
    if (eof_) {
      eof_ = false;  // the end of the text between lines: done
      return State::kDone;
    }
    if (byte_ == '#') {
      return State::kStartComment;
    }
    if (byte_ == '\n') {
      return State::kStartOfLine;
    }
    return State::kReadingMetricName;
  }

  State StartComment() {
    SkipBlankTab();
    if (Failed()) {
      return State::kDone;
    }
    if (byte_ == '\n') {
      return State::kStartOfLine;
    }
    ReadTokenUntilWhitespace();
    if (Failed()) {
      return State::kDone;
    }
    if (byte_ == '\n') {
      return State::kStartOfLine;
    }
    const bool help = token_ == "HELP";
    if (!help && token_ != "TYPE") {
      while (byte_ != '\n') {  // another comment: skipped
        if (!ReadByte()) {
          return State::kDone;
        }
      }
      return State::kStartOfLine;
    }
    SkipBlankTab();
    if (Failed()) {
      return State::kDone;
    }
    ReadTokenAs(IsNameStart, IsNameChar);
    if (Failed()) {
      return State::kDone;
    }
    if (byte_ == '\n') {
      return State::kStartOfLine;
    }
    if (!IsBlank(byte_)) {
      return Fail("invalid metric name in comment");
    }
    SetOrCreateFamily();
    SkipBlankTab();
    if (Failed()) {
      return State::kDone;
    }
    if (byte_ == '\n') {
      return State::kStartOfLine;
    }
    return help ? State::kReadingHelp : State::kReadingType;
  }

  State ReadingMetricName() {
    ReadTokenAs(IsNameStart, IsNameChar);
    if (Failed()) {
      return State::kDone;
    }
    if (token_.empty()) {
      return Fail("invalid metric name");
    }
    SetOrCreateFamily();
    typed_[current_] = true;  // untyped unless a TYPE line came first
    metric_ = TextMetric{};
    line_labels_.clear();
    SkipBlankTabIfCurrentBlankTab();
    if (Failed()) {
      return State::kDone;
    }
    return State::kReadingLabels;
  }

  State ReadingLabels() {
    if (Grouped()) {
      group_key_.clear();
      group_labels_.clear();
      quantile_ = std::numeric_limits<double>::quiet_NaN();
    }
    return byte_ == '{' ? State::kStartLabelName : State::kReadingValue;
  }

  State StartLabelName() {
    SkipBlankTab();
    if (Failed()) {
      return State::kDone;
    }
    if (byte_ == '}') {
      SkipBlankTab();
      return Failed() ? State::kDone : State::kReadingValue;
    }
    const std::size_t start = pos_ - 1;
    ReadTokenAs(IsLabelStart, IsLabelChar);
    if (Failed()) {
      return State::kDone;
    }
    if (token_.empty()) {
      return Fail("invalid label name for metric " + Quote(Family().name));
    }
    if (token_ == "__name__") {
      return Fail("label name \"__name__\" is reserved");
    }
    const std::string_view name = text_.substr(start, token_.size());
    label_is_special_ = (Typed(TextType::kSummary) && name == "quantile") ||
                        (Typed(TextType::kHistogram) && name == "le");
    if (!label_is_special_) {
      metric_.labels.push_back(TextLabel{token_, {}});
    }
    SkipBlankTabIfCurrentBlankTab();
    if (Failed()) {
      return State::kDone;
    }
    if (byte_ != '=') {
      return Fail("expected '=' after label name, found " + QuoteByte(byte_));
    }
    if (!label_is_special_ && !line_labels_.insert(name).second) {
      return Fail("duplicate label names for metric " + Quote(Family().name));
    }
    label_name_ = name;
    return State::kStartLabelValue;
  }

  State StartLabelValue() {
    SkipBlankTab();
    if (Failed()) {
      return State::kDone;
    }
    if (byte_ != '"') {
      return Fail("expected '\"' at start of label value, found " + QuoteByte(byte_));
    }
    ReadTokenAsLabelValue();
    if (Failed()) {
      return State::kDone;
    }
    if (!text::ValidUtf8(token_)) {
      return Fail("invalid label value " + Quote(token_));
    }
    if (label_is_special_) {
      auto number = ParseTextFloat(token_);
      if (!number) {
        return Fail("expected float as value for '" + std::string(label_name_) + "' label, got " +
                    Quote(token_));
      }
      quantile_ = *number;  // the quantile or the bucket's bound
    } else {
      metric_.labels.back().value = token_;
      if (Grouped()) {
        group_labels_.emplace_back(label_name_, metric_.labels.size() - 1);
      }
    }
    SkipBlankTab();
    if (Failed()) {
      return State::kDone;
    }
    if (byte_ == ',') {
      return State::kStartLabelName;
    }
    if (byte_ == '}') {
      SkipBlankTab();
      return Failed() ? State::kDone : State::kReadingValue;
    }
    return Fail("unexpected end of label value " + Quote(token_));
  }

  State ReadingValue() {
    TextMetric* target = nullptr;
    if (Grouped()) {
      // One metric per label set (name and labels but quantile/le).
      std::sort(group_labels_.begin(), group_labels_.end());
      group_key_ = Family().name;
      for (const auto& [name, index] : group_labels_) {
        group_key_ += '\xff';
        group_key_ += name;
        group_key_ += '\xff';
        group_key_ += metric_.labels[index].value;
      }
      auto [it, inserted] = groups_.try_emplace(group_key_, current_, Family().metrics.size());
      if (inserted) {
        Family().metrics.push_back(std::move(metric_));
      }
      target = &families_[it->second.first].metrics[it->second.second];
    } else {
      Family().metrics.push_back(std::move(metric_));
      target = &Family().metrics.back();
    }
    ReadTokenUntilWhitespace();
    if (Failed()) {
      return State::kDone;
    }
    auto value = ParseTextFloat(token_);
    if (!value) {
      return Fail("expected float as value, got " + Quote(token_));
    }
    switch (Family().type) {
      case TextType::kCounter:
      case TextType::kGauge:
      case TextType::kUntyped: target->value = *value; break;
      case TextType::kSummary:
        if (is_count_) {
          target->count = GoFloatToUint64(*value);
        } else if (is_sum_) {
          target->sum = *value;
        } else if (!std::isnan(quantile_)) {
          target->quantiles.emplace_back(quantile_, *value);
        }
        break;
      case TextType::kHistogram:
        if (is_count_) {
          target->count = GoFloatToUint64(*value);
        } else if (is_sum_) {
          target->sum = *value;
        } else if (!std::isnan(quantile_)) {
          target->buckets.emplace_back(quantile_, GoFloatToUint64(*value));
        }
        break;
      case TextType::kGaugeHistogram:
        return Fail("unexpected type for metric name " + Quote(Family().name));
    }
    metric_target_ = target;
    return byte_ == '\n' ? State::kStartOfLine : State::kStartTimestamp;
  }

  State StartTimestamp() {
    SkipBlankTab();
    if (Failed()) {
      return State::kDone;
    }
    ReadTokenUntilWhitespace();
    if (Failed()) {
      return State::kDone;
    }
    if (!procfs::detail::GoParseInt(token_, 10)) {
      return Fail("expected integer as timestamp, got " + Quote(token_));
    }
    metric_target_->has_timestamp = true;
    ReadTokenUntilNewline(false);
    if (Failed()) {
      return State::kDone;
    }
    if (!token_.empty()) {
      return Fail("spurious string after timestamp: " + Quote(token_));
    }
    return State::kStartOfLine;
  }

  State ReadingHelp() {
    if (Family().help) {
      return Fail("second HELP line for metric name " + Quote(Family().name));
    }
    ReadTokenUntilNewline(true);
    if (Failed()) {
      return State::kDone;
    }
    Family().help = token_;
    return State::kStartOfLine;
  }

  State ReadingType() {
    if (typed_[current_]) {
      return Fail("second TYPE line for metric name " + Quote(Family().name) +
                  ", or TYPE reported after samples");
    }
    ReadTokenUntilNewline(false);
    if (Failed()) {
      return State::kDone;
    }
    std::string upper = token_;
    for (char& c : upper) {
      if (c >= 'a' && c <= 'z') {
        c = static_cast<char>(c - 'a' + 'A');
      }
    }
    static const std::pair<std::string_view, TextType> kTypes[] = {
        {"COUNTER", TextType::kCounter},   {"GAUGE", TextType::kGauge},
        {"SUMMARY", TextType::kSummary},   {"UNTYPED", TextType::kUntyped},
        {"HISTOGRAM", TextType::kHistogram}, {"GAUGE_HISTOGRAM", TextType::kGaugeHistogram}};
    for (const auto& [name, type] : kTypes) {
      if (upper == name) {
        Family().type = type;
        typed_[current_] = true;
        return State::kStartOfLine;
      }
    }
    return Fail("unknown metric type " + Quote(token_));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  char byte_ = 0;
  bool eof_ = false;
  std::string error_;
  int line_ = 0;
  std::string token_;

  std::vector<TextFamily> families_;
  std::vector<bool> typed_;  // per family: has a type (from TYPE or a first sample)
  std::unordered_map<std::string, std::size_t> by_name_;
  std::size_t current_ = 0;
  bool is_count_ = false, is_sum_ = false;

  TextMetric metric_;  // the line's metric, until ReadingValue files it
  TextMetric* metric_target_ = nullptr;
  std::unordered_set<std::string_view> line_labels_;  // views into text_
  std::string_view label_name_;
  bool label_is_special_ = false;
  // Summaries and histograms: the line's labels (name, index in
  // metric_.labels), the quantile or bound, and the metric of each label set.
  std::vector<std::pair<std::string_view, std::size_t>> group_labels_;
  std::string group_key_;
  double quantile_ = std::numeric_limits<double>::quiet_NaN();
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> groups_;
};

}  // namespace

std::optional<double> ParseTextFloat(std::string_view s) {
  if (s.find_first_of("pP_") != std::string_view::npos) {
    return std::nullopt;
  }
  return procfs::detail::GoParseFloat(s);
}

std::uint64_t GoFloatToUint64(double value) {
  // CVTTSD2SQ: truncation, and 0x8000000000000000 for NaN and values out of
  // the int64 range.
  auto cvt = [](double v) -> std::uint64_t {
    if (std::isnan(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0) {
      return std::uint64_t{1} << 63;
    }
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
  };
  if (value < 9223372036854775808.0) {
    return cvt(value);
  }
  return cvt(value - 9223372036854775808.0) | (std::uint64_t{1} << 63);
}

procfs::Result<std::vector<TextFamily>> ParseTextfile(std::string_view path, std::string_view text) {
  Parser parser(text);
  std::string error = parser.Run();
  if (!error.empty()) {
    return procfs::ParseError(std::string(path), error);
  }
  return parser.TakeFamilies();
}

}  // namespace vitals::sysfs
