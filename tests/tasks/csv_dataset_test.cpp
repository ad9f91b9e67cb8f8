// CSV / JSONL / CLINC reading: the cases spreadsheets and exports produce, with the
// expected fields written out by hand from RFC 4180.
#include <gtest/gtest.h>

#include "core/error.h"
#include "tasks/classifier/csv.h"
#include "tasks/classifier/dataset.h"

namespace tq::tasks {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

TEST(Csv, QuotesEscapedQuotesAndEmbeddedNewlines) {
  const CsvTable t = parse_csv(
      "text,label\n"
      "\"Bonjour, ma commande\",livraison\n"
      "\"Il a dit \"\"non\"\"\",retour\n"
      "\"ligne 1\nligne 2\",produit\n"
      "sans guillemets,compte\n",
      "t.csv");
  ASSERT_EQ(t.header, (std::vector<std::string>{"text", "label"}));
  ASSERT_EQ(t.rows.size(), 4U);
  EXPECT_EQ(t.rows[0].fields[0], "Bonjour, ma commande");
  EXPECT_EQ(t.rows[1].fields[0], "Il a dit \"non\"");
  EXPECT_EQ(t.rows[2].fields[0], "ligne 1\nligne 2");
  EXPECT_EQ(t.rows[2].fields[1], "produit");
  EXPECT_EQ(t.rows[3].fields[0], "sans guillemets");
  // Line numbers are where each record starts: the embedded newline counts.
  EXPECT_EQ(t.rows[2].line, 4U);
  EXPECT_EQ(t.rows[3].line, 6U);
}

TEST(Csv, BomCrlfNoFinalNewlineAndEmptyFields) {
  const CsvTable t = parse_csv("\xEF\xBB\xBFtext,label\r\n\"a\",\r\n,b\r\n\r\nc,d", "t.csv");
  ASSERT_EQ(t.header, (std::vector<std::string>{"text", "label"}));
  ASSERT_EQ(t.rows.size(), 3U);
  EXPECT_EQ(t.rows[0].fields, (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(t.rows[1].fields, (std::vector<std::string>{"", "b"}));
  EXPECT_EQ(t.rows[2].fields, (std::vector<std::string>{"c", "d"}));
}

TEST(Csv, SemicolonAndTabDelimitersAreDetected) {
  const CsvTable semi = parse_csv("Requête;Clics;Impressions\n\"a;b\";1;2\n", "s.csv");
  EXPECT_EQ(semi.header, (std::vector<std::string>{"Requête", "Clics", "Impressions"}));
  EXPECT_EQ(semi.rows[0].fields, (std::vector<std::string>{"a;b", "1", "2"}));
  const CsvTable tab = parse_csv("text\tlabel\nx, y\tz\n", "t.tsv");
  EXPECT_EQ(tab.rows[0].fields, (std::vector<std::string>{"x, y", "z"}));
}

TEST(Csv, MalformedInputNamesFileAndLine) {
  EXPECT_NE(error_of([] {
              (void)parse_csv("text,label\n\"open,x\n", "f.csv");
            }).find("f.csv:2: a quoted field is never closed"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              (void)parse_csv("text,label\na,b,c\n", "f.csv");
            }).find("f.csv:2: the record has 3 fields, the header has 2"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              (void)parse_csv("text,label\n\"a\"x,b\n", "f.csv");
            }).find("f.csv:2: text after a closing quote"),
            std::string::npos);
  EXPECT_NE(error_of([] { (void)parse_csv("", "f.csv"); }).find("empty CSV"), std::string::npos);
}

TEST(Dataset, MissingColumnNamesItAndListsTheHeader) {
  DatasetOptions o;
  const std::string msg = error_of([&] {
    (void)parse_dataset("text,category\nhello,greet\n", "banking.csv", DatasetFormat::kCsv, o);
  });
  EXPECT_NE(msg.find("banking.csv: no column 'label' in the header (columns: text, category)"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("--label-col"), std::string::npos) << msg;
  o.label_column = "category";
  const Dataset d =
      parse_dataset("text,category\nhello,greet\n,empty\nx,\n", "b.csv", DatasetFormat::kCsv, o);
  ASSERT_EQ(d.examples.size(), 1U);
  EXPECT_EQ(d.examples[0].text, "hello");
  EXPECT_EQ(d.examples[0].label, "greet");
  EXPECT_EQ(d.skipped_empty, 2U);
}

TEST(Dataset, Jsonl) {
  const Dataset d = parse_dataset(
      "{\"text\": \"Où est mon colis ?\", \"label\": \"livraison\"}\n\n"
      "{\"text\": \"x\", \"label\": 3}\r\n",
      "t.jsonl", DatasetFormat::kAuto, DatasetOptions{});
  ASSERT_EQ(d.examples.size(), 2U);
  EXPECT_EQ(d.examples[0].text, "Où est mon colis ?");
  EXPECT_EQ(d.examples[1].label, "3");
  EXPECT_NE(error_of([] {
              (void)parse_dataset("{\"text\": \"a\", \"label\": \"b\"}\n{\"text\": \"a\"}\n",
                                  "t.jsonl", DatasetFormat::kJsonl, DatasetOptions{});
            }).find("t.jsonl:2: no field 'label'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              (void)parse_dataset("[1,2]\n", "t.jsonl", DatasetFormat::kJsonl, DatasetOptions{});
            }).find("t.jsonl:1: not a JSON object"),
            std::string::npos);
}

TEST(Dataset, ClincSplits) {
  const std::string json =
      R"({"train": [["hi there", "greeting"], ["bye", "goodbye"]], "test": [["hello", "greeting"]]})";
  DatasetOptions o;
  EXPECT_EQ(parse_dataset(json, "d.json", DatasetFormat::kAuto, o).examples.size(), 2U);
  o.split = "test";
  const Dataset test = parse_dataset(json, "d.json", DatasetFormat::kClinc, o);
  ASSERT_EQ(test.examples.size(), 1U);
  EXPECT_EQ(test.examples[0].label, "greeting");
  o.split = "val";
  EXPECT_NE(error_of([&] {
              (void)parse_dataset(json, "d.json", DatasetFormat::kClinc, o);
            }).find("no list 'val' (lists: test, train)"),
            std::string::npos);
}

}  // namespace
}  // namespace tq::tasks
