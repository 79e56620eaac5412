#pragma once
// The status page as data: sections of tables whose cells hold the values.
// One Page renders two ways, so the page and its updates cannot disagree:
//
//   RenderHtml  the whole page, complete without scripts (the first paint)
//   RenderJson  {"layout", "title", "cells": {id: cell}}: what the page's
//               script polls; it copies each cell into the element with
//               that id, and reloads the page when "layout" changes (a check,
//               group, mount or section came or went)
//
// A cell is drawn as [<meter>] [<span> per mark] text, in an element with
// its id, classes and title; static/status.js draws the same from the JSON.
// Every string is escaped here: cells carry text, never markup.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vitals::status {

struct Cell {
  Cell() = default;
  explicit Cell(std::string text_, std::string cls_ = {}, std::string title_ = {})
      : text(std::move(text_)), cls(std::move(cls_)), title(std::move(title_)) {}

  std::string text;
  std::string cls;    // CSS classes ("st st-unhealthy")
  std::string title;  // tooltip: absolute times, the full text
  std::optional<double> meter;  // 0..1, drawn as a bar before the text
  std::vector<Cell> marks;      // a strip of small marks before the text
};

// "—" with the reason as its tooltip: a value that is not known.
Cell Missing(std::string why);

struct Column {
  std::string name;
  std::string title;  // what the column means, as a tooltip
  bool wide = false;  // hidden on narrow screens
};

// A row: a header cell that names it (fixed while the layout stands) and
// cells that change. Cell i gets the id "<row id>/<i>".
struct Row {
  std::string id;
  std::string label;
  std::string label_title;
  std::vector<Cell> cells;
};

struct RowGroup {
  std::string heading;  // empty: no heading row
  std::vector<Row> rows;
};

struct Table {
  std::string id;
  std::string caption;  // empty: none
  std::vector<Column> columns;  // after the label column
  std::string label_column;
  std::vector<RowGroup> groups;
  std::string empty_text;  // shown instead of the table when it has no row
  // Cells that never change while the agent runs: no ids, not in the JSON,
  // part of the layout.
  bool fixed = false;
};

struct Link {
  std::string text;
  std::string href;
};

struct Section {
  std::string id;
  std::string title;
  std::string help;  // a few sentences on what the section shows
  std::optional<Link> docs;  // the README section, when a docs URL is known
  std::vector<std::string> notes;  // fixed text under the title
  std::vector<Link> note_links;    // links after the notes (e.g. sign in)
  std::vector<Table> tables;
};

struct Page {
  std::string title;  // the document title; updated by the script
  Cell overall;       // the overall status, big
  Cell summary;       // counts and the checks that are not Healthy
  Cell updated;       // when this was built
  std::string meta;   // host and version, fixed
  std::vector<Link> links;
  std::vector<Section> sections;
  int poll_seconds = 2;
};

// Where the page's stylesheet and script are (with ?v=<hash>), and its poll URL.
struct Resources {
  std::string stylesheet;
  std::string script;
  std::string poll;
};

std::string RenderHtml(const Page& page, const Resources& resources);
nlohmann::json RenderJson(const Page& page);
// A digest of everything that is not a cell value: sections, tables,
// columns, row ids and labels, notes, links.
std::string LayoutKey(const Page& page);

std::string HtmlEscape(std::string_view text);

}  // namespace vitals::status
