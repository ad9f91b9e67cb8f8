// Labelled texts for training and evaluating the classifier, from the formats users have:
// CSV with a header (columns `text` and `label` by default), JSONL (one object per line
// with the same keys), or CLINC150's data_full.json ({"train": [[text, intent], ...], ...}).
#pragma once

#include <string>
#include <vector>

namespace tq::tasks {

struct LabeledText {
  std::string text;
  std::string label;
};

enum class DatasetFormat { kAuto, kCsv, kJsonl, kClinc };

struct DatasetOptions {
  DatasetFormat format = DatasetFormat::kAuto;  // auto: by extension (.jsonl, .json, else CSV)
  std::string text_column = "text";
  std::string label_column = "label";
  std::string split = "train";  // clinc only: which list of the JSON object
};

struct Dataset {
  std::vector<LabeledText> examples;
  // Records with an empty text or label: not examples, but counted so the caller can say so.
  size_t skipped_empty = 0;
};

DatasetFormat dataset_format_from_name(const std::string& name);  // "auto", "csv", "jsonl", "clinc"

// Throws InputError naming the file, the line and what is wrong (a missing column names
// the columns the header has).
Dataset load_dataset(const std::string& path, const DatasetOptions& options);
// The same from text in memory; `source` names it in errors.
Dataset parse_dataset(const std::string& data, const std::string& source, DatasetFormat format,
                      const DatasetOptions& options);

}  // namespace tq::tasks
