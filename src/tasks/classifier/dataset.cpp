#include "tasks/classifier/dataset.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "tasks/classifier/csv.h"

namespace tq::tasks {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void add_example(Dataset& d, std::string text, std::string label) {
  if (text.empty() || label.empty()) {
    ++d.skipped_empty;
    return;
  }
  d.examples.push_back({std::move(text), std::move(label)});
}

Dataset from_csv(const std::string& data, const std::string& source, const DatasetOptions& o) {
  const CsvTable table = parse_csv(data, source);
  const size_t text_col = table.require_column(o.text_column, source, "name it with --text-col");
  const size_t label_col = table.require_column(o.label_column, source, "name it with --label-col");
  Dataset d;
  for (const auto& row : table.rows) add_example(d, row.fields[text_col], row.fields[label_col]);
  return d;
}

// A label may be written as a number ("3") in JSON; it is the same label as "3".
std::string json_label(const nlohmann::json& v, const std::string& where) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  throw InputError(where + ": the label must be a string or an integer, got " + v.dump());
}

Dataset from_jsonl(const std::string& data, const std::string& source, const DatasetOptions& o) {
  Dataset d;
  size_t line_no = 0;
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    std::string line = data.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = source + ":" + std::to_string(line_no);
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      throw InputError(where + ": not a JSON object (JSONL wants one {\"" + o.text_column +
                       "\": ..., \"" + o.label_column + "\": ...} per line)");
    if (!j.contains(o.text_column) || !j[o.text_column].is_string())
      throw InputError(where + ": no string field '" + o.text_column +
                       "' (name it with --text-col)");
    if (!j.contains(o.label_column))
      throw InputError(where + ": no field '" + o.label_column + "' (name it with --label-col)");
    add_example(d, j[o.text_column].get<std::string>(), json_label(j[o.label_column], where));
  }
  return d;
}

Dataset from_clinc(const std::string& data, const std::string& source, const DatasetOptions& o) {
  const nlohmann::json j = nlohmann::json::parse(data, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw InputError(source +
                     ": not a JSON object (the clinc format is {\"train\": [[text, "
                     "intent], ...], \"test\": ...})");
  if (!j.contains(o.split) || !j[o.split].is_array()) {
    std::string keys;
    for (const auto& [k, v] : j.items()) keys += (keys.empty() ? "" : ", ") + k;
    throw InputError(source + ": no list '" + o.split + "' (lists: " + keys +
                     "); choose one with --split");
  }
  Dataset d;
  size_t i = 0;
  for (const auto& pair : j[o.split]) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string())
      throw InputError(source + ": " + o.split + "[" + std::to_string(i) +
                       "] is not a [text, intent] pair");
    add_example(d, pair[0].get<std::string>(),
                json_label(pair[1], source + ": " + o.split + "[" + std::to_string(i) + "]"));
    ++i;
  }
  return d;
}

}  // namespace

DatasetFormat dataset_format_from_name(const std::string& name) {
  if (name == "auto") return DatasetFormat::kAuto;
  if (name == "csv") return DatasetFormat::kCsv;
  if (name == "jsonl") return DatasetFormat::kJsonl;
  if (name == "clinc") return DatasetFormat::kClinc;
  throw InputError("unknown dataset format '" + name + "' (use auto, csv, jsonl or clinc)");
}

Dataset parse_dataset(const std::string& data, const std::string& source, DatasetFormat format,
                      const DatasetOptions& options) {
  if (format == DatasetFormat::kAuto) {
    if (ends_with(source, ".jsonl") || ends_with(source, ".ndjson"))
      format = DatasetFormat::kJsonl;
    else if (ends_with(source, ".json"))
      format = DatasetFormat::kClinc;
    else
      format = DatasetFormat::kCsv;
  }
  switch (format) {
    case DatasetFormat::kJsonl:
      return from_jsonl(data, source, options);
    case DatasetFormat::kClinc:
      return from_clinc(data, source, options);
    default:
      return from_csv(data, source, options);
  }
}

Dataset load_dataset(const std::string& path, const DatasetOptions& options) {
  return parse_dataset(read_text_file(path), path, options.format, options);
}

}  // namespace tq::tasks
