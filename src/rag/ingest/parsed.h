// What a format parser returns: structured sections for the chunker, or ready records
// (one product = one chunk) for catalogues. Parsers throw InputError on malformed input,
// naming what was wrong and where; the ingester reports it per file and goes on.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rag/store.h"

namespace tq::rag {

struct Section {
  std::string heading;   // heading path, "Livraison > Délais"; empty at top level
  std::string location;  // for citations when not the heading ("page 3")
  std::string text;      // paragraphs separated by blank lines
};

struct ParsedDocument {
  std::string title;
  std::vector<Section> sections;
  std::vector<ChunkInput> records;  // catalogues: already one chunk per item
  nlohmann::json metadata = nlohmann::json::object();
};

// How catalogue columns map to chunks; the defaults recognise Shopify's product export.
// The config's [kb.catalog] fills it (cli/kb_options.h).
struct CatalogMapping {
  std::string id_column;  // rows sharing this value form one item
  std::string title_column;
  std::vector<std::string> body_columns;
  std::vector<std::string> field_columns;          // empty: every other non-empty column
  std::map<std::string, std::string> field_names;  // column → field name ("Prix" → price)
};

ParsedDocument parse_text(std::string_view data);
ParsedDocument parse_markdown(std::string_view data);
ParsedDocument parse_html(std::string_view data);
// Visible text of an HTML fragment (catalogue descriptions, e-mail bodies).
std::string html_to_text(std::string_view html);
ParsedDocument parse_csv(std::string_view data, char separator, const CatalogMapping& mapping);
ParsedDocument parse_json_catalog(std::string_view data, bool lines, const CatalogMapping& mapping);
ParsedDocument parse_pdf(std::string_view data);
ParsedDocument parse_eml(std::string_view data);
// Office Open XML (ZIP + XML): Word paragraphs with heading styles and tables; Excel
// sheets as catalogues (first row = header, one item per row or per id).
ParsedDocument parse_docx(std::string_view data);
ParsedDocument parse_xlsx(std::string_view data, const CatalogMapping& mapping);
// One item per row (or per id column value) from a header row and records; `where`
// prefixes the row number in locations ("row ", "Feuil1 row ").
ParsedDocument catalog_from_rows(const std::vector<std::vector<std::string>>& rows,
                                 const CatalogMapping& mapping, const std::string& where);

// RFC 4180 records; InputError on an unterminated quote (with its line).
std::vector<std::vector<std::string>> read_csv_rows(std::string_view data, char separator);

// Converts `data` in `charset` to UTF-8 (iconv); invalid UTF-8 bytes are replaced.
std::string to_utf8(std::string_view data, std::string_view charset);
// Replaces invalid UTF-8 sequences with U+FFFD.
std::string sanitize_utf8(std::string_view data);

}  // namespace tq::rag
