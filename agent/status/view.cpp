#include "agent/status/view.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>

namespace vitals::status {

namespace {

// The classes of a cell's element: its column's ("wide") and its own.
std::string Classes(std::string_view column, const Cell& cell) {
  std::string cls(column);
  if (!cell.cls.empty()) {
    cls += (cls.empty() ? "" : " ") + cell.cls;
  }
  return cls;
}

// Calls `fn(id, classes, cell)` for every cell with an id, in page order.
void ForEachCell(const Page& page,
                 const std::function<void(const std::string&, const std::string&, const Cell&)>& fn) {
  fn("overall", page.overall.cls, page.overall);
  fn("summary", page.summary.cls, page.summary);
  fn("updated", page.updated.cls, page.updated);
  for (const Section& section : page.sections) {
    for (const Table& table : section.tables) {
      for (const RowGroup& group : table.groups) {
        for (const Row& row : group.rows) {
          for (std::size_t i = 0; i < row.cells.size() && !table.fixed; ++i) {
            const bool wide = i < table.columns.size() && table.columns[i].wide;
            fn(row.id + "/" + std::to_string(i), Classes(wide ? "wide" : "", row.cells[i]),
               row.cells[i]);
          }
        }
      }
    }
  }
}

std::string Attr(std::string_view name, std::string_view value) {
  return value.empty() ? "" : " " + std::string(name) + "=\"" + HtmlEscape(value) + "\"";
}

double Clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

// "0.7312": to_chars, so no locale turns it into "0,7312".
std::string MeterValue(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, Clamp01(v), std::chars_format::fixed, 4);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

// The cell's content, as static/status.js's fill() draws it.
void CellContent(std::string& out, const Cell& cell) {
  if (cell.meter) {
    out += "<meter value=\"" + MeterValue(*cell.meter) + "\"></meter> ";
  }
  for (const Cell& mark : cell.marks) {
    out += "<span" + Attr("class", mark.cls) + Attr("title", mark.title) + ">" +
           HtmlEscape(mark.text) + "</span>";
  }
  out += HtmlEscape(cell.text);
}

void CellElement(std::string& out, std::string_view tag, const std::string& id,
                 const std::string& classes, const Cell& cell) {
  out += "<" + std::string(tag) + Attr("id", id) + Attr("class", classes) +
         Attr("title", cell.title) + ">";
  CellContent(out, cell);
  out += "</" + std::string(tag) + ">";
}

void RenderTable(std::string& out, const Table& table) {
  bool empty = true;
  for (const RowGroup& g : table.groups) {
    empty = empty && g.rows.empty();
  }
  if (empty) {
    out += "<p class=\"empty\"" + Attr("id", table.id) + ">" + HtmlEscape(table.empty_text) +
           "</p>\n";
    return;
  }
  auto wide = [&](std::size_t i) { return i < table.columns.size() && table.columns[i].wide; };
  out += "<div class=\"scroll\"><table" + Attr("id", table.id) + ">";
  if (!table.caption.empty()) {
    out += "<caption>" + HtmlEscape(table.caption) + "</caption>";
  }
  out += "\n<thead><tr><th scope=\"col\">" + HtmlEscape(table.label_column) + "</th>";
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    out += "<th scope=\"col\"" + Attr("class", wide(i) ? "wide" : "") +
           Attr("title", table.columns[i].title) + ">" +
           HtmlEscape(table.columns[i].name) + "</th>";
  }
  out += "</tr></thead>\n";
  for (const RowGroup& group : table.groups) {
    out += "<tbody>";
    if (!group.heading.empty()) {
      out += "<tr class=\"heading\"><th scope=\"rowgroup\" colspan=\"" +
             std::to_string(table.columns.size() + 1) + "\">" + HtmlEscape(group.heading) +
             "</th></tr>";
    }
    out += "\n";
    for (const Row& row : group.rows) {
      out += "<tr" + Attr("id", row.id) + "><th scope=\"row\"" + Attr("title", row.label_title) +
             ">" + HtmlEscape(row.label) + "</th>";
      for (std::size_t i = 0; i < row.cells.size(); ++i) {
        CellElement(out, "td", table.fixed ? "" : row.id + "/" + std::to_string(i),
                    Classes(wide(i) ? "wide" : "", row.cells[i]), row.cells[i]);
      }
      out += "</tr>\n";
    }
    out += "</tbody>\n";
  }
  out += "</table></div>\n";
}

nlohmann::json CellJson(const std::string& classes, const Cell& cell) {
  nlohmann::json j = nlohmann::json::object();
  if (!cell.text.empty()) {
    j["t"] = cell.text;
  }
  if (!classes.empty()) {
    j["c"] = classes;
  }
  if (!cell.title.empty()) {
    j["ti"] = cell.title;
  }
  if (cell.meter) {
    j["v"] = std::round(Clamp01(*cell.meter) * 1e4) / 1e4;
  }
  if (!cell.marks.empty()) {
    nlohmann::json marks = nlohmann::json::array();
    for (const Cell& mark : cell.marks) {
      marks.push_back(CellJson(mark.cls, mark));
    }
    j["m"] = std::move(marks);
  }
  return j;
}

}  // namespace

Cell Missing(std::string why) {
  Cell c;
  c.text = "—";
  c.title = std::move(why);
  return c;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderHtml(const Page& page, const Resources& resources) {
  std::string out;
  out.reserve(16 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"color-scheme\" content=\"light dark\">\n"
         "<title>" + HtmlEscape(page.title) + "</title>\n"
         "<link rel=\"stylesheet\" href=\"" + HtmlEscape(resources.stylesheet) + "\">\n"
         "<script src=\"" + HtmlEscape(resources.script) + "\" defer></script>\n"
         "</head>\n<body" + Attr("data-layout", LayoutKey(page)) +
         Attr("data-poll", resources.poll) +
         Attr("data-every", std::to_string(page.poll_seconds)) + ">\n<header>\n";
  CellElement(out, "p", "overall", page.overall.cls, page.overall);
  out += "\n";
  CellElement(out, "p", "summary", page.summary.cls, page.summary);
  out += "\n<p class=\"meta\">" + HtmlEscape(page.meta) + " · ";
  CellElement(out, "span", "updated", page.updated.cls, page.updated);
  out += " <span class=\"live-note\">· updates every " + std::to_string(page.poll_seconds) +
         " s</span> <span id=\"conn\" role=\"status\"></span></p>\n<nav>";
  for (const Link& link : page.links) {
    out += "<a href=\"" + HtmlEscape(link.href) + "\">" + HtmlEscape(link.text) + "</a> ";
  }
  out += "</nav>\n</header>\n<main>\n";
  for (const Section& section : page.sections) {
    out += "<section" + Attr("id", section.id) + ">\n<h2>" + HtmlEscape(section.title) + "</h2>\n";
    if (!section.help.empty()) {
      out += "<details class=\"help\"><summary>What this shows</summary><p>" +
             HtmlEscape(section.help);
      if (section.docs) {
        out += " <a href=\"" + HtmlEscape(section.docs->href) + "\">" +
               HtmlEscape(section.docs->text) + "</a>";
      }
      out += "</p></details>\n";
    }
    for (const std::string& note : section.notes) {
      out += "<p class=\"note\">" + HtmlEscape(note) + "</p>\n";
    }
    for (const Link& link : section.note_links) {
      out += "<p class=\"note\"><a href=\"" + HtmlEscape(link.href) + "\">" +
             HtmlEscape(link.text) + "</a></p>\n";
    }
    for (const Table& table : section.tables) {
      RenderTable(out, table);
    }
    out += "</section>\n";
  }
  out += "</main>\n</body></html>\n";
  return out;
}

nlohmann::json RenderJson(const Page& page) {
  nlohmann::json cells = nlohmann::json::object();
  ForEachCell(page, [&](const std::string& id, const std::string& classes, const Cell& cell) {
    cells[id] = CellJson(classes, cell);
  });
  return {{"layout", LayoutKey(page)}, {"title", page.title}, {"cells", std::move(cells)}};
}

std::string LayoutKey(const Page& page) {
  // FNV-1a over the fixed parts, each followed by a separator byte.
  std::uint64_t h = 14695981039346656037ull;
  auto add = [&](std::string_view s) {
    for (char c : s) {
      h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    }
    h = (h ^ 0xff) * 1099511628211ull;
  };
  add(page.meta);
  for (const Link& link : page.links) {
    add(link.href);
  }
  for (const Section& section : page.sections) {
    add(section.id);
    for (const std::string& note : section.notes) {
      add(note);
    }
    for (const Link& link : section.note_links) {
      add(link.href);
    }
    for (const Table& table : section.tables) {
      add(table.id);
      for (const Column& column : table.columns) {
        add(column.name);
      }
      for (const RowGroup& group : table.groups) {
        add(group.heading);
        for (const Row& row : group.rows) {
          add(row.id);
          add(row.label);
          add(row.label_title);
          add(std::to_string(row.cells.size()));
          for (std::size_t i = 0; table.fixed && i < row.cells.size(); ++i) {
            add(row.cells[i].text);
          }
        }
      }
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace vitals::status
