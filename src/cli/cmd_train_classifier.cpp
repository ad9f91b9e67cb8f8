// triptyque train-classifier: trains the specialised text classifier (fastText-style, see
// tasks/classifier/text_classifier.h) from labelled examples and writes the model file.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "tasks/classifier/dataset.h"
#include "tasks/classifier/text_classifier.h"

namespace tq::cli {
namespace {

struct TrainClassifierOptions {
  std::string train;
  std::string out;
  std::string format = "auto";
  std::string split = "train";
  std::string text_col = "text";
  std::string label_col = "label";
  tasks::TrainOptions train_options;
  bool epochs_given = false;  // else tasks::epochs_for(examples)
  bool json = false;
};

int run_train_classifier(const TrainClassifierOptions& o) {
  tasks::DatasetOptions d;
  d.format = tasks::dataset_format_from_name(o.format);
  d.text_column = o.text_col;
  d.label_column = o.label_col;
  d.split = o.split;
  const tasks::Dataset data = tasks::load_dataset(o.train, d);
  if (data.examples.empty())
    throw InputError(o.train + ": no examples with both a text and a label");

  tasks::TrainOptions train_options = o.train_options;
  if (!o.epochs_given) train_options.epochs = tasks::epochs_for(data.examples.size());
  const bool show_progress = !o.json && isatty(STDERR_FILENO) != 0;
  auto progress = [show_progress](double done) {
    if (!show_progress) return;
    const int width = 30;
    const int filled = static_cast<int>(done * width);
    std::fprintf(stderr, "\rtraining [%.*s%*s] %3d%%", filled, "##############################",
                 width - filled, "", static_cast<int>(done * 100));
    if (done >= 1.0) std::fprintf(stderr, "\n");
  };
  const auto start = std::chrono::steady_clock::now();
  const auto model = tasks::TextClassifier::train(data.examples, train_options, progress);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  model.save(o.out);
  const auto bytes = std::filesystem::file_size(o.out);

  if (o.json) {
    nlohmann::json j = {{"examples", data.examples.size()},
                        {"skipped_empty", data.skipped_empty},
                        {"labels", model.labels().size()},
                        {"features", model.feature_count()},
                        {"dim", model.dim()},
                        {"epochs", train_options.epochs},
                        {"ensemble", model.ensemble_size()},
                        {"train_seconds", seconds},
                        {"model", o.out},
                        {"model_bytes", bytes}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("trained on %zu examples (%zu labels, %zu features, %u epochs) in %.2f s\n",
                data.examples.size(), model.labels().size(), model.feature_count(),
                train_options.epochs, seconds);
    if (data.skipped_empty > 0)
      std::printf("skipped %zu records with an empty text or label\n", data.skipped_empty);
    std::printf("model written to %s (%.1f MB)\n", o.out.c_str(), static_cast<double>(bytes) / 1e6);
  }
  return kExitOk;
}

}  // namespace

Action register_train_classifier(CLI::App& app) {
  auto o = std::make_shared<TrainClassifierOptions>();
  CLI::App* cmd = app.add_subcommand(
      "train-classifier",
      "Train a text classifier (fastText-style: words, word pairs, character n-grams) from "
      "labelled examples");
  cmd->footer(
      "Input: CSV with a header (columns text,label; others with --text-col/--label-col), "
      "JSONL ({\"text\": ..., \"label\": ...} per line), or --format clinc for CLINC150's "
      "data_full.json (--split train).\nExample: triptyque train-classifier --train "
      "banking77/train.csv --label-col category --out banking.tqc");
  cmd->add_option("--train", o->train, "Labelled examples (CSV, JSONL or clinc JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", o->out, "Model file to write")->required();
  cmd->add_option("--format", o->format, "auto (by extension), csv, jsonl or clinc")
      ->check(CLI::IsMember({"auto", "csv", "jsonl", "clinc"}));
  cmd->add_option("--split", o->split, "clinc format: which list to read")->capture_default_str();
  cmd->add_option("--text-col", o->text_col, "Column (or JSON key) of the text")
      ->capture_default_str();
  cmd->add_option("--label-col", o->label_col, "Column (or JSON key) of the label")
      ->capture_default_str();
  auto& t = o->train_options;
  cmd->add_option("--epochs", t.epochs,
                  "Passes over the data (default: 10, more on small sets so that training "
                  "makes at least 10000 updates)")
      ->check(CLI::Range(1, 10000))
      ->each([o](const std::string&) { o->epochs_given = true; });
  cmd->add_option("--lr", t.learning_rate, "Initial learning rate (decays linearly to 0)")
      ->capture_default_str();
  cmd->add_option("--dim", t.dim, "Vector size")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--seed", t.seed, "Random seed (same seed, same model)")->capture_default_str();
  cmd->add_option("--min-count", t.min_count, "Drop features seen fewer times")
      ->capture_default_str();
  cmd->add_option("--word-ngrams", t.features.word_ngrams, "1: words; 2: and word pairs")
      ->capture_default_str()
      ->check(CLI::Range(1, 2));
  cmd->add_option("--minn", t.features.min_char_ngram, "Shortest character n-gram")
      ->capture_default_str();
  cmd->add_option("--maxn", t.features.max_char_ngram, "Longest character n-gram (0: none)")
      ->capture_default_str();
  cmd->add_option("--ensemble", t.ensemble,
                  "Models trained in parallel threads with different seeds, probabilities "
                  "averaged")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  cmd->add_flag("--json", o->json, "Print a JSON summary (train_seconds, labels, features…)");
  return [o] { return run_train_classifier(*o); };
}

}  // namespace tq::cli
