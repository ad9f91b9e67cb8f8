// PDF through poppler-cpp: one section per page, "page N" as the citation location.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>

#include <memory>

#include "core/error.h"
#include "rag/ingest/parsed.h"

namespace tq::rag {

ParsedDocument parse_pdf(std::string_view data) {
  if (data.substr(0, 5) != "%PDF-") throw InputError("not a PDF (no %PDF- header)");
  if (data.size() > static_cast<size_t>(INT32_MAX)) throw InputError("PDF too large");
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(data.data(), static_cast<int>(data.size())));
  if (!doc) throw InputError("damaged PDF: poppler cannot read its structure");
  if (doc->is_locked()) throw InputError("encrypted PDF: a password is needed");
  ParsedDocument d;
  auto title = doc->get_title().to_utf8();
  d.title = sanitize_utf8(std::string_view(title.data(), title.size()));
  const int pages = doc->pages();
  for (int i = 0; i < pages; ++i) {
    std::unique_ptr<poppler::page> p(doc->create_page(i));
    if (!p) continue;
    auto bytes = p->text().to_utf8();
    std::string text = sanitize_utf8(std::string_view(bytes.data(), bytes.size()));
    // Lines of a page often break mid-sentence: single newlines become spaces.
    if (text.find_first_not_of(" \n\r\t\f") == std::string::npos) continue;
    d.sections.push_back({"", "page " + std::to_string(i + 1), text});
  }
  if (d.sections.empty() && pages == 0) throw InputError("damaged PDF: no pages");
  d.metadata["pages"] = pages;
  return d;
}

}  // namespace tq::rag
