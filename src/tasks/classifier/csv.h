// CSV as spreadsheets and Search Console write it (RFC 4180): a header line, quoted fields
// with "" for a quote and line breaks inside, CRLF or LF, an optional UTF-8 BOM. The
// delimiter is found in the header: comma, or semicolon / tab (French Excel exports).
// Bad input is an InputError naming the file and line; nothing is silently dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tq::tasks {

struct CsvRow {
  std::vector<std::string> fields;
  size_t line = 0;  // 1-based line where the record starts (for error messages)
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;

  // Index of the column named `name` (exact, else ignoring case and surrounding blanks),
  // or -1.
  [[nodiscard]] int find_column(std::string_view name) const;
  // Like find_column but throws an InputError naming the column, the source and the
  // header's columns, with `hint` (e.g. "choose it with --label-col") appended.
  [[nodiscard]] size_t require_column(std::string_view name, std::string_view source,
                                      std::string_view hint) const;
  // "text, category" — the header for messages.
  [[nodiscard]] std::string header_list() const;
};

// `source` names the input in errors (a path, "stdin").
CsvTable parse_csv(std::string_view data, std::string_view source);
CsvTable read_csv_file(const std::string& path);

// The whole file, or an InputError naming it.
std::string read_text_file(const std::string& path);

}  // namespace tq::tasks
