// Guard throughput: MB/s of mixed French support text scanned by one core (target >= 20
// MB/s), pseudonymised, and re-identified while streaming in 64-byte chunks.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "guard/guard.h"

namespace {

// About 1 MiB of tickets and e-mails: mostly plain prose, one entity every few lines,
// like real support traffic.
const std::string& mixed_french_text() {
  static const std::string text = [] {
    const std::vector<std::string> lines = {
        "Bonjour, je vous contacte au sujet de ma commande passée la semaine dernière.\n",
        "Le colis n'est toujours pas arrivé et le suivi indique qu'il est en attente.\n",
        "Pourriez-vous vérifier auprès du transporteur et me tenir informé rapidement ?\n",
        "Je suis Marie Dupont, vous pouvez me joindre au 06 12 34 56 78 en journée.\n",
        "Mon adresse est le 12 rue de la Paix, 75002 Paris, deuxième étage à gauche.\n",
        "Merci de rembourser sur l'IBAN FR76 3000 6000 0112 3456 7890 189 au plus vite.\n",
        "Le total de la facture FA-2024-00123 s'élève à 1 249,90 € TTC, TVA comprise.\n",
        "Écrivez-moi à marie.dupont@orange.fr si vous avez besoin d'autres éléments.\n",
        "La carte 4111 1111 1111 1111 a été débitée deux fois le 12/03/2024 à 14:30.\n",
        "Nous avons bien reçu votre réclamation et notre équipe revient vers vous.\n",
        "Cordialement,\nJulien Moreau\nService client — SIRET 732 829 320 00074\n",
        "Le produit référence SKU-4521-XL est de nouveau disponible en entrepôt.\n",
        "Les délais de livraison sont de trois à cinq jours ouvrés en France métropolitaine.\n",
    };
    std::mt19937 rng(42);
    std::string out;
    while (out.size() < (1U << 20)) out += lines[rng() % lines.size()];
    return out;
  }();
  return text;
}

void BM_Scan(benchmark::State& state) {
  const tq::guard::Scanner scanner;
  const std::string& text = mixed_french_text();
  size_t found = 0;
  for (auto _ : state) {
    (void)_;
    auto entities = scanner.scan(text);
    found = entities.size();
    benchmark::DoNotOptimize(entities);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["entities_per_MiB"] = static_cast<double>(found);
}
BENCHMARK(BM_Scan)->Unit(benchmark::kMillisecond);

void BM_ProtectAndStreamReidentify(benchmark::State& state) {
  const tq::guard::Guard guard;
  const std::vector<std::string> texts{mixed_french_text()};
  for (auto _ : state) {
    (void)_;
    tq::guard::PseudonymMap map;
    const auto p = guard.protect(texts, {}, map);
    tq::guard::StreamReidentifier stream(map);
    size_t out = 0;
    const std::string& answer = p.texts[0];
    for (size_t i = 0; i < answer.size(); i += 64) out += stream.push(answer.substr(i, 64)).size();
    out += stream.finish().size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * texts[0].size()));
}
BENCHMARK(BM_ProtectAndStreamReidentify)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
