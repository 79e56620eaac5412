#include "agent/status/view.h"

#include <catch2/catch.hpp>
#include <regex>

using namespace vitals::status;

namespace {

Page Sample() {
  Page page;
  page.title = "Unhealthy · vitals on h";
  page.overall = Cell("✖ Unhealthy", "overall st st-unhealthy");
  page.summary = Cell("1 check");
  page.updated = Cell("updated now");
  page.meta = "h · vitals 1";
  Section s;
  s.id = "checks";
  s.title = "Checks";
  Table t;
  t.id = "checks-table";
  t.label_column = "Check";
  t.columns = {{"Status", ""}, {"Took", "", true}, {"Recent", ""}};
  Row row{"check:a\"<b>", "a\"<b>", "kind x", {}};
  row.cells.push_back(Cell("<script>alert(1)</script>", "st st-unhealthy", "it's \"quoted\""));
  Cell took("4 ms");
  took.meter = 0.25;
  row.cells.push_back(took);
  Cell strip;
  strip.marks = {Cell("✔", "mk st-healthy", "t1"), Cell("✖", "mk st-unhealthy", "t2")};
  row.cells.push_back(strip);
  t.groups.push_back({"tags: ready", {row}});
  s.tables.push_back(t);
  page.sections.push_back(s);
  return page;
}

}  // namespace

TEST_CASE("RenderHtml: every string is escaped, cells carry text and never markup", "[status]") {
  const std::string html = RenderHtml(Sample(), {"/s.css", "/s.js", "/status.json"});
  CHECK_THAT(html, !Catch::Contains("<script>alert"));
  CHECK_THAT(html, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK_THAT(html, Catch::Contains("title=\"it&#39;s &quot;quoted&quot;\""));
  CHECK_THAT(html, Catch::Contains("<tr id=\"check:a&quot;&lt;b&gt;\">"));
  // The only scripts are the page's own file: nothing inline for the CSP to refuse.
  CHECK_THAT(html, Catch::Contains("<script src=\"/s.js\" defer></script>"));
  CHECK(std::regex_search(html, std::regex("<script>")) == false);
  CHECK_THAT(html, !Catch::Contains("style="));
}

TEST_CASE("RenderJson: the cells the page has, with the same classes and content", "[status]") {
  const Page page = Sample();
  const std::string html = RenderHtml(page, {"/s.css", "/s.js", "/status.json"});
  const auto json = RenderJson(page);
  CHECK(json["layout"] == LayoutKey(page));
  CHECK(json["title"] == page.title);
  const auto& cells = json["cells"];
  REQUIRE(cells.size() == 6);  // overall, summary, updated and the row's three
  CHECK(cells["overall"]["c"] == "overall st st-unhealthy");
  CHECK(cells["check:a\"<b>/0"]["t"] == "<script>alert(1)</script>");
  CHECK(cells["check:a\"<b>/1"]["c"] == "wide");  // the column's class, as in the HTML
  CHECK(cells["check:a\"<b>/1"]["v"] == 0.25);
  CHECK(cells["check:a\"<b>/2"]["m"].size() == 2);
  CHECK(cells["check:a\"<b>/2"]["m"][1]["c"] == "mk st-unhealthy");
  // Every cell's element is in the HTML with the classes the JSON gives it.
  for (const auto& [id, cell] : cells.items()) {
    std::string attrs = "id=\"" + HtmlEscape(id) + "\"";
    if (cell.contains("c")) {
      attrs += " class=\"" + HtmlEscape(cell["c"].get<std::string>()) + "\"";
    }
    CHECK_THAT(html, Catch::Contains(attrs));
  }
  CHECK_THAT(html, Catch::Contains("<td id=\"check:a&quot;&lt;b&gt;/1\" class=\"wide\">"
                                   "<meter value=\"0.2500\"></meter> 4 ms</td>"));
}

TEST_CASE("LayoutKey: changes when rows come or go, not when values change", "[status]") {
  Page page = Sample();
  const std::string key = LayoutKey(page);
  page.sections[0].tables[0].groups[0].rows[0].cells[0].text = "✔ Healthy";
  page.overall.text = "✔ Healthy";
  CHECK(LayoutKey(page) == key);
  page.sections[0].tables[0].groups[0].rows.push_back(Row{"check:b", "b", "", {Cell("x")}});
  CHECK(LayoutKey(page) != key);
}
