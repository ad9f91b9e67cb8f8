// Parsers and the ingester on real files: expected texts written from the formats'
// specifications (RFC 2045/2047 encodings, HTML entities, RFC 4180 quoting).
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "rag/ingest/ingester.h"
#include "rag/ingest/sha256.h"
#include "rag/retriever.h"
#include "support/gold.h"
#include "support/run.h"

namespace tq::rag {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

TEST(Sha256, KnownVectors) {
  // FIPS 180-4 examples.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Parsers, MarkdownKeepsTheHeadingPath) {
  auto d = parse_markdown(
      "# Guide\n\nIntro.\n\n## Livraison\n\nSous **48 h**.\n\n### Délais\n\nVoir [la "
      "page](http://x).\n");
  ASSERT_EQ(d.sections.size(), 3U);
  EXPECT_EQ(d.title, "Guide");
  EXPECT_EQ(d.sections[1].heading, "Guide > Livraison");
  EXPECT_EQ(d.sections[2].heading, "Guide > Livraison > Délais");
  EXPECT_NE(d.sections[1].text.find("Sous 48 h."), std::string::npos);
  EXPECT_NE(d.sections[2].text.find("Voir la page."), std::string::npos);
}

TEST(Parsers, HtmlVisibleTextOnlyWithEntitiesDecoded) {
  auto d = parse_html(
      "<html><head><title>Retours</title><style>p{color:red}</style></head><body>"
      "<script>var hidden = 1;</script><h1>Politique</h1><p>Rembourser &eacute;t&eacute; "
      "&amp; hiver&nbsp;: 30&#8364;</p><noscript>no</noscript></body></html>");
  ASSERT_EQ(d.sections.size(), 1U);
  EXPECT_EQ(d.title, "Retours");
  EXPECT_EQ(d.sections[0].heading, "Politique");
  EXPECT_EQ(d.sections[0].text.find("hidden"), std::string::npos);
  EXPECT_EQ(d.sections[0].text.find("color"), std::string::npos);
  EXPECT_NE(d.sections[0].text.find("Rembourser été & hiver\u00a0: 30€"), std::string::npos)
      << d.sections[0].text;
}

TEST(Parsers, CsvQuotingPerRfc4180) {
  auto rows = read_csv_rows("a,b\n\"x, y\",\"say \"\"hi\"\"\nbye\"\n", ',');
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[1][0], "x, y");
  EXPECT_EQ(rows[1][1], "say \"hi\"\nbye");
  EXPECT_THROW(read_csv_rows("a,b\n\"open,1\n", ','), InputError);
}

TEST(Parsers, EmlMultipartQuotedPrintableBase64Latin1) {
  // Subject: RFC 2047 Q-encoded ISO-8859-1 ("Réclamation"); a text/plain part in
  // quoted-printable ISO-8859-1 ("=E9" = é); an HTML alternative ignored; a base64
  // UTF-8 attachment-less part ("Merci d'avance" = TWVyY2kgZCdhdmFuY2U=).
  std::string eml =
      "From: =?UTF-8?B?SMOpbMOobmU=?= <helene@example.fr>\r\n"
      "To: support@example.fr\r\n"
      "Subject: =?ISO-8859-1?Q?R=E9clamation?= commande\r\n"
      "Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"OUTER\"\r\n\r\n"
      "preamble\r\n--OUTER\r\n"
      "Content-Type: multipart/alternative; boundary=INNER\r\n\r\n"
      "--INNER\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
      "Le colis est arriv=E9 ab=EEm=E9, je souhaite un =\r\nremboursement.\r\n"
      "--INNER\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>HTML version</p>\r\n"
      "--INNER--\r\n"
      "--OUTER\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: "
      "base64\r\n\r\n"
      "TWVyY2kgZCdhdmFuY2U=\r\n"
      "--OUTER\r\nContent-Type: application/pdf; name=\"facture.pdf\"\r\n"
      "Content-Disposition: attachment; filename=\"facture.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--OUTER--\r\n";
  auto d = parse_eml(eml);
  EXPECT_EQ(d.title, "Réclamation commande");
  EXPECT_EQ(d.metadata["from"], "Hélène <helene@example.fr>");
  EXPECT_EQ(d.metadata["attachments"][0], "facture.pdf");
  ASSERT_EQ(d.sections.size(), 1U);
  const auto& t = d.sections[0].text;
  EXPECT_NE(t.find("Le colis est arrivé abîmé, je souhaite un remboursement."), std::string::npos)
      << t;
  EXPECT_NE(t.find("Merci d'avance"), std::string::npos);
  EXPECT_EQ(t.find("HTML version"), std::string::npos);
  EXPECT_NE(t.find("Subject: Réclamation commande"), std::string::npos);
}

TEST(Parsers, MalformedEmlIsAnInputError) {
  EXPECT_THROW(parse_eml("this is not an e-mail\nat all"), InputError);
  EXPECT_THROW(parse_eml("From: a@b\nContent-Type: multipart/mixed; boundary=X\n\nno parts here\n"),
               InputError);
  EXPECT_THROW(
      parse_eml("From: a@b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n%%%%\n"),
      InputError);
  // Found by fuzz_ingest: an alternative whose only delimiter ends the body had no part to
  // pick, and the pick read before the start of an empty list.
  EXPECT_THROW(parse_eml("From: a@b\nContent-Type: multipart/alternative; boundary=B\n\n--B"),
               InputError);
  EXPECT_THROW(parse_eml("From: a@b\nContent-Type: multipart/alternative; boundary=B\n\n--B--\n"),
               InputError);
}

TEST(Ingest, MalformedFilesAreReportedAndSkippedTheRestGoesIn) {
  auto dir = test::scratch_dir("rag_ingest_bad");
  auto docs = dir / "docs";
  fs::create_directories(docs);
  write(docs / "good.md",
        "# Retours\n\nVous disposez de quatorze jours pour renvoyer un article.\n");
  write(docs / "good.txt", "Les frais de port sont offerts dès 50 €.\n");
  write(docs / "broken.pdf", "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\ngarbage\n");
  write(docs / "broken.csv", "Handle,Title\nx,\"unterminated\n");
  write(docs / "broken.eml", "no headers here\njust text\n");
  write(docs / "catalog.jsonl",
        "{\"id\": \"a1\", \"title\": \"Théière\", \"description\": \"<b>Fonte</b> émaillée\", "
        "\"price\": 39.9}\n");
  auto kb = (dir / "kb.sqlite").string();
  auto r = test::run(
      {test::cli_path(), "ingest", docs.string(), "--collection", "c", "--kb", kb, "--json"});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // some files failed
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["failed"], 3);
  std::map<std::string, std::string> status;
  std::map<std::string, std::string> error;
  for (const auto& f : j["files"]) {
    auto name = fs::path(f["path"].get<std::string>()).filename().string();
    status[name] = f["status"];
    error[name] = f["error"];
  }
  EXPECT_EQ(status["good.md"], "added");
  EXPECT_EQ(status["good.txt"], "added");
  EXPECT_EQ(status["catalog.jsonl"], "added");
  EXPECT_EQ(status["broken.pdf"], "failed");
  EXPECT_NE(error["broken.pdf"].find("PDF"), std::string::npos) << error["broken.pdf"];
  EXPECT_NE(error["broken.csv"].find("unterminated quoted field starting on line 2"),
            std::string::npos)
      << error["broken.csv"];
  EXPECT_NE(error["broken.eml"].find("not an e-mail"), std::string::npos) << error["broken.eml"];
  auto s = test::run({test::cli_path(), "search", "théière fonte", "--kb", kb, "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto hits = nlohmann::json::parse(s.out)["hits"];
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0]["title"], "Théière");
  EXPECT_EQ(hits[0]["fields"]["price"], 39.9);
  auto stats = test::run({test::cli_path(), "kb", "stats", "--kb", kb, "--json"});
  EXPECT_EQ(nlohmann::json::parse(stats.out)["documents"], 3);
}

TEST(Ingest, ShopifyCatalogOneProductPerChunk) {
  auto csv = test::data_dir() / "catalog" / "shopify-apparel.csv";
  TQ_REQUIRE_PATH(csv);
  KnowledgeBase kb(":memory:");
  IngestOptions o;
  o.collection = "shop";
  o.label = "public";
  o.analysis = {"en", true, false};
  Ingester ing(kb, o);
  auto r = ing.ingest_file(csv.string());
  ASSERT_EQ(r.status, FileResult::Status::added) << r.error;
  EXPECT_EQ(r.chunks, 20U);  // the README: 20 products per file
  Retriever ret(kb);
  SearchOptions so;
  so.with_text = true;
  auto hits = ret.search("ocean blue shirt", so);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].title, "Ocean Blue Shirt");
  EXPECT_EQ(hits[0].fields["handle"], "ocean-blue-shirt");
  EXPECT_EQ(hits[0].fields["price"], "50");
  EXPECT_EQ(hits[0].text.find('<'), std::string::npos) << hits[0].text;
  // Re-ingesting the same file changes nothing.
  EXPECT_EQ(ing.ingest_file(csv.string()).status, FileResult::Status::unchanged);
}

TEST(Chunker, PacksParagraphsAndOverlapsLongOnes) {
  ParsedDocument d;
  std::string longp;
  for (int i = 0; i < 25; ++i) longp += "w" + std::to_string(i) + " ";
  d.sections.push_back({"H", "", "a b c\n\nd e\n\n" + longp});
  auto chunks = chunk_document(d, {10, 3});
  // "a b c" + "d e" packed (5 words); the 25-word paragraph in windows of 10 stepping 7:
  // w0–w9, w7–w16, then the tail w14–w24 (11 words > 10) → w14–w23 and tail w21–w24.
  ASSERT_GE(chunks.size(), 3U);
  EXPECT_EQ(chunks[0].body, "a b c\n\nd e");
  EXPECT_EQ(chunks[1].body.substr(0, 3), "w0 ");
  EXPECT_EQ(chunks[2].body.substr(0, 3), "w7 ");
  EXPECT_EQ(chunks[0].location, "H");
  EXPECT_THROW(chunk_document(d, {10, 10}), InputError);
}

}  // namespace
}  // namespace tq::rag

namespace tq::rag {
namespace {

fs::path office_fixture(const std::string& name) {
  return fs::path(TQ_SOURCE_DIR) / "tests" / "data" / "rag" / "office" / name;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// cgv.docx was written by Python's zipfile from WordprocessingML (ECMA-376 Part 1 §17):
// Titre1/Titre2/Heading2 paragraph styles, a tab, deleted text (w:del) and a table.
TEST(Office, DocxHeadingsParagraphsAndTables) {
  auto d = parse_docx(slurp(office_fixture("cgv.docx")));
  EXPECT_EQ(d.title, "Conditions générales de vente");
  ASSERT_EQ(d.sections.size(), 2U);
  EXPECT_EQ(d.sections[0].heading, "Conditions générales de vente > Livraison");
  EXPECT_NE(d.sections[0].text.find("expédiées le jour même"), std::string::npos);
  EXPECT_EQ(d.sections[1].heading, "Conditions générales de vente > Retours");
  const std::string& retours = d.sections[1].text;
  EXPECT_NE(retours.find("quatorze jours pour exercer"), std::string::npos) << retours;
  EXPECT_EQ(retours.find("supprimé"), std::string::npos) << retours;
  EXPECT_NE(retours.find("Lampe Aurore | 2 ans"), std::string::npos) << retours;
}

// catalogue.xlsx (SpreadsheetML, ECMA-376 §18): shared strings, numbers, one sheet.
TEST(Office, XlsxCatalogueWithColumnMapping) {
  CatalogMapping m;
  m.id_column = "Référence";
  m.title_column = "Désignation";
  m.body_columns = {"Description"};
  m.field_names = {{"Référence", "sku"}, {"Prix TTC", "price"}};
  auto d = parse_xlsx(slurp(office_fixture("catalogue.xlsx")), m);
  ASSERT_EQ(d.records.size(), 2U);
  EXPECT_EQ(d.records[0].title, "Lampe Aurore");
  EXPECT_EQ(d.records[0].body, "Lampe de chevet en laiton brossé, abat-jour en lin.");
  EXPECT_EQ(d.records[0].fields["sku"], "LMP-001");
  EXPECT_EQ(d.records[0].fields["price"], "89.9");
  EXPECT_EQ(d.records[0].fields["Couleur"], "Laiton");
  EXPECT_EQ(d.records[0].location, "Catalogue row 2 (LMP-001)");
  EXPECT_EQ(d.records[1].fields["price"], "129");
}

TEST(Office, BrokenOfficeFilesAreReportedAndSkipped) {
  auto dir = test::scratch_dir("rag_office_bad");
  auto docs = dir / "docs";
  fs::remove_all(docs);
  fs::create_directories(docs);
  for (const char* f : {"cgv.docx", "catalogue.xlsx", "truncated.docx", "not_a_zip.docx",
                        "bad_xml.docx", "bad_shared_string.xlsx"}) {
    fs::copy_file(office_fixture(f), docs / f);
  }
  auto kb = (dir / "kb.sqlite").string();
  fs::remove(kb);
  auto r = test::run(
      {test::cli_path(), "ingest", docs.string(), "--collection", "c", "--kb", kb, "--json"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["failed"], 4);
  std::map<std::string, std::string> error;
  for (const auto& f : j["files"]) {
    error[fs::path(f["path"].get<std::string>()).filename().string()] = f["error"];
  }
  EXPECT_EQ(error["cgv.docx"], "");
  EXPECT_EQ(error["catalogue.xlsx"], "");
  EXPECT_NE(error["truncated.docx"].find("ZIP"), std::string::npos) << error["truncated.docx"];
  EXPECT_NE(error["not_a_zip.docx"].find("ZIP"), std::string::npos) << error["not_a_zip.docx"];
  EXPECT_NE(error["bad_xml.docx"].find("not well-formed XML"), std::string::npos)
      << error["bad_xml.docx"];
  EXPECT_NE(error["bad_shared_string.xlsx"].find("shared string"), std::string::npos)
      << error["bad_shared_string.xlsx"];
  auto s = test::run({test::cli_path(), "search", "rétractation", "--kb", kb, "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto hits = nlohmann::json::parse(s.out)["hits"];
  ASSERT_FALSE(hits.empty());
  EXPECT_NE(hits[0]["citation"].get<std::string>().find("cgv.docx › Conditions générales"),
            std::string::npos);
}

}  // namespace
}  // namespace tq::rag
