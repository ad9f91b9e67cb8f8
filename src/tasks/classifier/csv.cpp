#include "tasks/classifier/csv.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace tq::tasks {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The delimiter that appears most often outside quotes on the first line; comma on ties.
char detect_delimiter(std::string_view data) {
  std::array<size_t, 3> counts{};
  constexpr std::array<char, 3> kCandidates{',', ';', '\t'};
  bool quoted = false;
  for (char c : data) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '\n' || c == '\r')) break;
    if (quoted) continue;
    for (size_t i = 0; i < kCandidates.size(); ++i)
      if (c == kCandidates[i]) ++counts[i];
  }
  size_t best = 0;
  for (size_t i = 1; i < counts.size(); ++i)
    if (counts[i] > counts[best]) best = i;
  return kCandidates[best];
}

[[noreturn]] void fail(std::string_view source, size_t line, const std::string& what) {
  throw InputError(std::string(source) + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

int CsvTable::find_column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  for (size_t i = 0; i < header.size(); ++i)
    if (iequals(trim(header[i]), trim(name))) return static_cast<int>(i);
  return -1;
}

std::string CsvTable::header_list() const {
  std::string out;
  for (const auto& h : header) {
    if (!out.empty()) out += ", ";
    out += h;
  }
  return out;
}

size_t CsvTable::require_column(std::string_view name, std::string_view source,
                                std::string_view hint) const {
  const int i = find_column(name);
  if (i < 0) {
    std::string msg = std::string(source) + ": no column '" + std::string(name) +
                      "' in the header (columns: " + header_list() + ")";
    if (!hint.empty()) msg += "; " + std::string(hint);
    throw InputError(msg);
  }
  return static_cast<size_t>(i);
}

CsvTable parse_csv(std::string_view data, std::string_view source) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  const char delim = detect_delimiter(data);
  std::vector<CsvRow> records;
  CsvRow row;
  std::string field;
  size_t line = 1;
  row.line = 1;
  bool in_quotes = false;
  bool field_was_quoted = false;
  size_t quote_line = 0;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    field_was_quoted = false;
  };
  auto end_record = [&] {
    end_field();
    // A blank line is no record (a trailing newline, or spacing between blocks).
    if (!(row.fields.size() == 1 && row.fields[0].empty())) records.push_back(std::move(row));
    row = CsvRow{};
    row.line = line;
  };
  for (size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < data.size() && data[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty() || field_was_quoted) {
        if (!trim(field).empty() || field_was_quoted)
          fail(source, line,
               "a quote inside an unquoted field or after a closing quote (write \"\" "
               "inside a quoted field)");
        field.clear();  // blanks before an opening quote are not content
      }
      in_quotes = true;
      field_was_quoted = true;
      quote_line = line;
    } else if (c == delim) {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < data.size() && data[i + 1] == '\n') ++i;
      ++line;
      end_record();
    } else {
      if (field_was_quoted && c != ' ' && c != '\t')
        fail(source, line,
             "text after a closing quote (a quoted field must end at the "
             "delimiter or the end of the line)");
      if (!field_was_quoted) field.push_back(c);
    }
  }
  if (in_quotes) fail(source, quote_line, "a quoted field is never closed");
  if (!field.empty() || field_was_quoted || !row.fields.empty()) end_record();

  CsvTable table;
  if (records.empty()) throw InputError(std::string(source) + ": empty CSV (no header line)");
  table.header = std::move(records.front().fields);
  for (auto& h : table.header) h = std::string(trim(h));
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].fields.size() != table.header.size())
      fail(source, records[r].line,
           "the record has " + std::to_string(records[r].fields.size()) +
               " fields, the header has " + std::to_string(table.header.size()) + " (" +
               table.header_list() + "); quote fields that contain '" +
               std::string(1, delim == '\t' ? ' ' : delim) + "'");
    table.rows.push_back(std::move(records[r]));
  }
  return table;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the file (check the path)");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path + ": read error");
  return ss.str();
}

CsvTable read_csv_file(const std::string& path) {
  return parse_csv(read_text_file(path), path);
}

}  // namespace tq::tasks
