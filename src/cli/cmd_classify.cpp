// triptyque classify: runs a model from train-classifier on one text (--text) or measures
// it on a labelled test file (--test): accuracy and prediction time per item.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "tasks/classifier/dataset.h"
#include "tasks/classifier/text_classifier.h"

namespace tq::cli {
namespace {

struct ClassifyOptions {
  std::string model;
  std::string test;
  std::string text;
  std::string format = "auto";
  std::string split = "test";
  std::string text_col = "text";
  std::string label_col = "label";
  size_t top = 1;
  bool json = false;
};

int run_classify(const ClassifyOptions& o) {
  if (o.test.empty() == o.text.empty())
    throw InputError("give either --text \"...\" or --test FILE");
  const auto model = tasks::TextClassifier::load(o.model);
  if (!o.text.empty()) {
    const auto predictions = model.predict(o.text, o.top);
    if (o.json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& p : predictions)
        j.push_back({{"label", p.label}, {"probability", p.probability}});
      std::printf("%s\n", nlohmann::json{{"predictions", j}}.dump().c_str());
    } else {
      for (const auto& p : predictions) std::printf("%s\t%.4f\n", p.label.c_str(), p.probability);
    }
    return kExitOk;
  }
  tasks::DatasetOptions d;
  d.format = tasks::dataset_format_from_name(o.format);
  d.text_column = o.text_col;
  d.label_column = o.label_col;
  d.split = o.split;
  const tasks::Dataset data = tasks::load_dataset(o.test, d);
  if (data.examples.empty()) throw InputError(o.test + ": no examples with a text and a label");
  const tasks::EvalResult r = model.evaluate(data.examples);
  if (o.json) {
    nlohmann::json j = {{"accuracy", r.accuracy},
                        {"n", r.n},
                        {"correct", r.correct},
                        {"per_item_us", r.per_item_us},
                        {"unknown_labels", r.unknown_labels}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("accuracy %.4f (%zu of %zu), %.1f µs per item\n", r.accuracy, r.correct, r.n,
                r.per_item_us);
    if (r.unknown_labels > 0)
      std::printf("%zu test examples have a label the model was not trained on\n",
                  r.unknown_labels);
  }
  return kExitOk;
}

}  // namespace

Action register_classify(CLI::App& app) {
  auto o = std::make_shared<ClassifyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "classify", "Classify a text with a train-classifier model, or measure it on a test file");
  cmd->footer(
      "Examples:\n  triptyque classify -m tickets.tqc --text \"Mon colis n'est pas arrivé\" "
      "--top 3\n  triptyque classify -m banking.tqc --test banking77/test.csv --label-col "
      "category --json");
  cmd->add_option("-m,--model", o->model, "Model file from train-classifier")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--text", o->text, "A text to classify");
  cmd->add_option("--test", o->test, "Labelled examples to measure accuracy on")
      ->check(CLI::ExistingFile);
  cmd->add_option("--top", o->top, "How many labels to print, most probable first")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--format", o->format, "auto (by extension), csv, jsonl or clinc")
      ->check(CLI::IsMember({"auto", "csv", "jsonl", "clinc"}));
  cmd->add_option("--split", o->split, "clinc format: which list to read")->capture_default_str();
  cmd->add_option("--text-col", o->text_col, "Column (or JSON key) of the text")
      ->capture_default_str();
  cmd->add_option("--label-col", o->label_col, "Column (or JSON key) of the label")
      ->capture_default_str();
  cmd->add_flag("--json", o->json,
                "JSON output: {\"accuracy\", \"n\", \"per_item_us\"} for --test, the "
                "predictions for --text");
  return [o] { return run_classify(*o); };
}

}  // namespace tq::cli
