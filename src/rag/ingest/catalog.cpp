// Catalogues: CSV/TSV and JSON/JSONL, one item (product) = one chunk with its structured
// fields. Rows sharing the id column are one item (Shopify: variants and extra images
// repeat the Handle; only the first row carries title and description).
#include <algorithm>
#include <map>
#include <string>

#include "core/error.h"
#include "rag/ingest/parsed.h"

namespace tq::rag {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The column of `header` named (case-insensitively) like one of `names`, or -1.
int find_column(const std::vector<std::string>& header, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (lower(header[i]) == lower(n)) return static_cast<int>(i);
    }
  }
  return -1;
}

// Canonical field names for Shopify's columns, so that filters read naturally.
std::string field_name(const std::string& column) {
  static const std::map<std::string, std::string> kShopify = {
      {"Vendor", "vendor"},
      {"Type", "type"},
      {"Tags", "tags"},
      {"Variant SKU", "sku"},
      {"Variant Price", "price"},
      {"Handle", "handle"},
      {"Variant Compare At Price", "compare_at_price"},
      {"Published", "published"},
      {"Variant Barcode", "barcode"}};
  auto it = kShopify.find(column);
  return it != kShopify.end() ? it->second : column;
}

void add_field(nlohmann::json& fields, const std::string& key, const std::string& value) {
  if (value.empty()) return;
  if (!fields.contains(key)) {
    fields[key] = value;
    return;
  }
  auto& f = fields[key];
  if (f.is_string()) {
    if (f.get<std::string>() == value) return;
    f = nlohmann::json::array({f, value});
  } else if (f.is_array() && std::find(f.begin(), f.end(), value) == f.end()) {
    f.push_back(value);
  }
}

}  // namespace

std::vector<std::vector<std::string>> read_csv_rows(std::string_view data, char sep) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool any = false;
  size_t line = 1;
  size_t quote_line = 0;
  size_t i = 0;
  if (data.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte order mark
  for (; i < data.size(); ++i) {
    char c = data[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < data.size() && data[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      quote_line = line;
      any = true;
    } else if (c == sep) {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < data.size() && data[i + 1] == '\n') ++i;
      ++line;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) {
    throw InputError("unterminated quoted field starting on line " + std::to_string(quote_line));
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

ParsedDocument parse_csv(std::string_view data, char sep, const CatalogMapping& mapping) {
  auto rows = read_csv_rows(sanitize_utf8(data), sep);
  if (rows.empty()) throw InputError("empty file: expected a header row");
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != rows[0].size()) {
      throw InputError("record " + std::to_string(r + 1) + " has " +
                       std::to_string(rows[r].size()) + " fields, the header has " +
                       std::to_string(rows[0].size()));
    }
  }
  ParsedDocument d = catalog_from_rows(rows, mapping, "row ");
  d.metadata["format"] = sep == '\t' ? "tsv" : "csv";
  return d;
}

ParsedDocument catalog_from_rows(const std::vector<std::vector<std::string>>& rows,
                                 const CatalogMapping& mapping, const std::string& where) {
  if (rows.empty()) throw InputError("no rows: expected a header row");
  const auto& header = rows[0];
  int id_col = mapping.id_column.empty() ? find_column(header, {"Handle", "id", "sku", "ref"})
                                         : find_column(header, {mapping.id_column});
  int title_col = mapping.title_column.empty()
                      ? find_column(header, {"Title", "name", "titre", "nom", "product"})
                      : find_column(header, {mapping.title_column});
  std::vector<int> body_cols;
  std::vector<std::string> body_names = mapping.body_columns;
  if (body_names.empty()) body_names = {"Body (HTML)", "description", "body", "text", "texte"};
  for (const auto& n : body_names) {
    int c = find_column(header, {n});
    if (c >= 0) body_cols.push_back(c);
    if (mapping.body_columns.empty() && c >= 0) break;
  }
  if (!mapping.id_column.empty() && id_col < 0) {
    throw InputError("no column '" + mapping.id_column + "' in the header");
  }
  std::vector<int> field_cols;
  if (!mapping.field_columns.empty()) {
    for (const auto& n : mapping.field_columns) {
      int c = find_column(header, {n});
      if (c < 0) throw InputError("no column '" + n + "' in the header");
      field_cols.push_back(c);
    }
  } else {
    for (size_t c = 0; c < header.size(); ++c) {
      auto ci = static_cast<int>(c);
      bool is_body = std::find(body_cols.begin(), body_cols.end(), ci) != body_cols.end();
      if (ci != title_col && !is_body) field_cols.push_back(ci);
    }
  }
  if (!mapping.title_column.empty() && title_col < 0) {
    throw InputError("no column '" + mapping.title_column + "' in the header");
  }
  ParsedDocument d;
  std::map<std::string, size_t> item_of_id;
  const std::string empty;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    auto cell = [&](int c) -> const std::string& {
      return static_cast<size_t>(c) < row.size() ? row[static_cast<size_t>(c)] : empty;
    };
    if (std::all_of(row.begin(), row.end(), [](const std::string& v) { return v.empty(); })) {
      continue;
    }
    std::string id = id_col >= 0 ? cell(id_col) : std::to_string(r);
    auto [it, fresh] = item_of_id.emplace(id, d.records.size());
    if (fresh) {
      ChunkInput item;
      item.location = where + std::to_string(r + 1) + (id_col >= 0 ? " (" + id + ")" : "");
      d.records.push_back(std::move(item));
    }
    ChunkInput& item = d.records[it->second];
    if (title_col >= 0 && item.title.empty()) item.title = cell(title_col);
    for (int c : body_cols) {
      const auto& v = cell(c);
      if (v.empty()) continue;
      std::string text = html_to_text(v);
      if (item.body.find(text) == std::string::npos)
        item.body += (item.body.empty() ? "" : "\n") + text;
    }
    for (int c : field_cols) {
      const std::string& column = header[static_cast<size_t>(c)];
      auto named = mapping.field_names.find(column);
      add_field(item.fields,
                named != mapping.field_names.end() ? named->second : field_name(column), cell(c));
    }
  }
  // Searchable text of the structured fields that describe the product.
  for (auto& item : d.records) {
    for (const char* k : {"vendor", "type", "tags"}) {
      if (item.fields.contains(k) && item.fields[k].is_string()) {
        item.body += std::string("\n") + k + ": " + item.fields[k].get<std::string>();
      }
    }
  }
  d.metadata["items"] = d.records.size();
  return d;
}

ParsedDocument parse_json_catalog(std::string_view data, bool lines,
                                  const CatalogMapping& mapping) {
  std::vector<nlohmann::json> items;
  if (lines) {
    size_t pos = 0;
    size_t lineno = 0;
    while (pos < data.size()) {
      size_t nl = data.find('\n', pos);
      if (nl == std::string_view::npos) nl = data.size();
      ++lineno;
      auto line = data.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        throw InputError("line " + std::to_string(lineno) + " is not a JSON object");
      }
      items.push_back(std::move(j));
    }
  } else {
    auto j = nlohmann::json::parse(data, nullptr, false);
    if (j.is_discarded()) throw InputError("not valid JSON");
    if (j.is_object()) {
      for (const char* k : {"products", "items", "data"}) {
        if (j.contains(k) && j[k].is_array()) {
          j = j[k];
          break;
        }
      }
    }
    if (!j.is_array()) throw InputError("expected an array of objects (or {\"products\": […]})");
    for (auto& e : j) {
      if (!e.is_object()) throw InputError("an array element is not an object");
      items.push_back(std::move(e));
    }
  }
  auto pick = [](const nlohmann::json& o, const std::string& preferred,
                 std::initializer_list<const char*> names) -> std::string {
    if (!preferred.empty()) {
      return o.contains(preferred) && o[preferred].is_string() ? o[preferred].get<std::string>()
                                                               : "";
    }
    for (const char* n : names) {
      if (o.contains(n) && o[n].is_string()) return o[n].get<std::string>();
    }
    return "";
  };
  ParsedDocument d;
  size_t n = 0;
  for (const auto& o : items) {
    ++n;
    ChunkInput item;
    item.title = sanitize_utf8(pick(o, mapping.title_column, {"title", "name", "titre", "nom"}));
    std::string body_key = mapping.body_columns.empty() ? "" : mapping.body_columns[0];
    item.body = html_to_text(sanitize_utf8(
        pick(o, body_key, {"body_html", "description", "body", "text", "texte", "content"})));
    std::string id = pick(o, mapping.id_column, {"id", "handle", "sku"});
    if (id.empty() && o.contains("id")) id = o["id"].dump();
    item.location = "item " + std::to_string(n) + (id.empty() ? "" : " (" + id + ")");
    for (const auto& [k, v] : o.items()) {
      if (!mapping.field_columns.empty() &&
          std::find(mapping.field_columns.begin(), mapping.field_columns.end(), k) ==
              mapping.field_columns.end()) {
        continue;
      }
      if (v.is_primitive() && !v.is_null()) item.fields[k] = v;
    }
    d.records.push_back(std::move(item));
  }
  d.metadata["format"] = lines ? "jsonl" : "json";
  d.metadata["items"] = d.records.size();
  return d;
}

}  // namespace tq::rag
