// Micro-benchmarks over real event documents (a synth corpus): parse, canon, SHA-256 (libsodium
// and OpenSSL), canon+SHA-256, the per-document checks of merge-v1.md section 3, and the
// verification ceiling (bare crypto_sign_verify_detached on 1 thread and on every core).
//
//   PITH_BENCH_CORPUS=events.jsonl PITH_BENCH_KEY=key.json pith_bench_micro [--benchmark_...]
//
// PITH_BENCH_LINES caps how many lines are read (default 20000). tests/bench/run.sh runs this.
#include <openssl/evp.h>
#include <sodium.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <rapidjson/document.h>

#include "pith/codec.h"
#include "pith/ed25519.h"
#include "pith/hash.h"
#include "pith/identity.h"
#include "pith/json.h"
#include "pith/json_view.h"
#include "pith/keys.h"
#include "pith/merge.h"

namespace {

struct Corpus {
  std::vector<std::string> lines;       // raw bytes as in the file
  std::vector<pith::json::Value> docs;  // parsed
  std::vector<std::string> canonical;   // canon(doc), each on its own heap block
  // The same bytes end to end in one buffer, as merge and ingest hold lines (a subject's lines read
  // back in one run, a chunk of a file), with a view of each.
  std::string canonical_run;
  std::vector<std::string_view> canonical_in_run;
  std::vector<std::string> subjects;    // per document
  size_t line_bytes = 0;
  size_t canonical_bytes = 0;
  pith::TrustedKeys keys;
  // Signed digests for the verification ceiling: (public key, content digest, signature).
  struct Signed {
    pith::PublicKey key;
    pith::Digest digest;
    pith::Signature sig;
  };
  std::vector<Signed> signed_digests;
};

Corpus* g_corpus = nullptr;

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "pith_bench_micro: " << what << "\n";
  std::exit(2);
}

void LoadCorpus() {
  const char* path = std::getenv("PITH_BENCH_CORPUS");
  const char* key_path = std::getenv("PITH_BENCH_KEY");
  if (path == nullptr || key_path == nullptr) Die("set PITH_BENCH_CORPUS (a .jsonl) and PITH_BENCH_KEY (its signing key)");
  size_t max_lines = 20000;
  if (const char* n = std::getenv("PITH_BENCH_LINES")) max_lines = std::strtoull(n, nullptr, 10);
  auto* c = new Corpus();
  c->keys = pith::TrustedKeys::Defaults();
  {
    std::ifstream kin(key_path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(kin)), std::istreambuf_iterator<char>());
    auto doc = pith::json::Parse(text);
    if (!doc.ok() || !c->keys.AddFromJson(*doc).ok()) Die(std::string("cannot load key ") + key_path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) Die(std::string("cannot open ") + path);
  std::string line;
  while (c->lines.size() < max_lines && std::getline(in, line)) {
    auto doc = pith::json::Parse(line);
    if (!doc.ok()) Die("a corpus line does not parse: " + doc.status().message());
    c->line_bytes += line.size();
    c->canonical.push_back(pith::json::Canonical(*doc));
    c->canonical_bytes += c->canonical.back().size();
    const std::string* subject = doc->FindString("subject_pith_number");
    c->subjects.push_back(subject ? *subject : std::string());
    // The event signature over the content digest, when the event is one KEY (or a default) signed.
    const pith::json::Value* sig = doc->Find("signature");
    const std::string* key_id = sig ? sig->FindString("key_id") : nullptr;
    const std::string* b64 = sig ? sig->FindString("signature_b64") : nullptr;
    const pith::PublicKeyEntry* entry = key_id ? c->keys.Find(*key_id) : nullptr;
    if (entry != nullptr && b64 != nullptr) {
      auto raw = pith::Base64Decode(*b64);
      if (raw && raw->size() == 64) {
        Corpus::Signed s;
        s.key = entry->key;
        s.digest = pith::EventContentDigest(*doc);
        std::copy(raw->begin(), raw->end(), s.sig.begin());
        if (pith::Ed25519VerifyDigest(s.key, s.digest, s.sig)) c->signed_digests.push_back(s);
      }
    }
    c->docs.push_back(std::move(*doc));
    c->lines.push_back(std::move(line));
  }
  for (const std::string& text : c->canonical) c->canonical_run += text;
  for (size_t i = 0, at = 0; i < c->canonical.size(); at += c->canonical[i].size(), ++i) {
    c->canonical_in_run.emplace_back(c->canonical_run.data() + at, c->canonical[i].size());
  }
  if (c->docs.empty()) Die("empty corpus");
  if (c->signed_digests.empty()) Die("no event of the corpus is validly signed by a trusted key");
  g_corpus = c;
}

// --- parse and canonical form ------------------------------------------------------------------

void BM_Parse(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (const std::string& l : c.lines) {
      auto doc = pith::json::Parse(l);
      benchmark::DoNotOptimize(doc);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.line_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.lines.size()));
}
BENCHMARK(BM_Parse)->Unit(benchmark::kMillisecond);

// RapidJSON's own DOM parse of the same lines, normal and in-situ (the issue asks for both on the
// hot path). In-situ decodes strings into a mutable copy of the line, which is made inside the
// timed loop as any caller holding a const line would have to. Both use RapidJSON's default
// number parsing, so a few lines it refuses (integers past a double) are counted as parsed work.
void BM_RapidJson_Normal(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (const std::string& l : c.lines) {
      rapidjson::Document doc;
      doc.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag>(l.data(), l.size());
      benchmark::DoNotOptimize(doc);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.line_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.lines.size()));
}
BENCHMARK(BM_RapidJson_Normal)->Unit(benchmark::kMillisecond);

void BM_RapidJson_InSitu(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  std::string buffer;
  for (auto _ : state) {
    for (const std::string& l : c.lines) {
      buffer.assign(l);  // NUL-terminated by std::string
      rapidjson::Document doc;
      doc.ParseInsitu<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag>(buffer.data());
      benchmark::DoNotOptimize(doc);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.line_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.lines.size()));
}
BENCHMARK(BM_RapidJson_InSitu)->Unit(benchmark::kMillisecond);

void BM_Canon(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (const pith::json::Value& d : c.docs) {
      std::string s = pith::json::Canonical(d);
      benchmark::DoNotOptimize(s);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.canonical_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.docs.size()));
}
BENCHMARK(BM_Canon)->Unit(benchmark::kMillisecond);

// canon into one reused buffer: the cost of the writer without a fresh allocation per document.
void BM_CanonReusedBuffer(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  std::string buf;
  for (auto _ : state) {
    for (const pith::json::Value& d : c.docs) {
      buf.clear();
      pith::json::AppendCanonical(d, &buf);
      benchmark::DoNotOptimize(buf.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.canonical_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.docs.size()));
}
BENCHMARK(BM_CanonReusedBuffer)->Unit(benchmark::kMillisecond);

// Many short strings appended to one growing text, as the state builder writes a state: each
// append must cost its own bytes, not the size of the text (a writer that grew the whole string per
// call once made replay 2x slower).
void BM_AppendStringsToLargeText(benchmark::State& state) {
  const std::string id = "sha256:" + std::string(64, 'a');
  for (auto _ : state) {
    std::string text;
    for (int i = 0; i < 20000; ++i) {
      pith::json::AppendCanonicalString(id, &text);
      text.push_back(',');
    }
    benchmark::DoNotOptimize(text.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 20000));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 20000 * (id.size() + 3)));
}
BENCHMARK(BM_AppendStringsToLargeText)->Unit(benchmark::kMillisecond);

// The merge's fast path for a canonical line: proving it is canon(Parse(line)) in one scan
// (json::CanonicalText) yields the canonical bytes with no tree built and nothing rewritten.
void BM_CanonicalProof(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (const std::string& text : c.canonical) {
      const pith::json::CanonicalText proof(text);
      if (!proof.proven()) state.SkipWithError("a canonical line was not proven");
      benchmark::DoNotOptimize(proof.spans().data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.canonical_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.docs.size()));
}
BENCHMARK(BM_CanonicalProof)->Unit(benchmark::kMillisecond);

// The proof and pith::Sha256 over the same texts lying end to end in one buffer (the layout merge
// and ingest read them in), beside the two above over texts each on its own heap block.
void BM_CanonicalProof_OneRun(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (std::string_view text : c.canonical_in_run) {
      const pith::json::CanonicalText proof(text);
      if (!proof.proven()) state.SkipWithError("a canonical line was not proven");
      benchmark::DoNotOptimize(proof.spans().data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.canonical_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.docs.size()));
}
BENCHMARK(BM_CanonicalProof_OneRun)->Unit(benchmark::kMillisecond);

void BM_Sha256_Pith_OneRun(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (std::string_view text : c.canonical_in_run) {
      pith::Digest h = pith::Sha256(text);
      benchmark::DoNotOptimize(h);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.canonical_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.docs.size()));
}
BENCHMARK(BM_Sha256_Pith_OneRun)->Unit(benchmark::kMillisecond);

void BM_CanonSha256(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (const pith::json::Value& d : c.docs) {
      pith::Digest h = pith::Sha256(pith::json::Canonical(d));
      benchmark::DoNotOptimize(h);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.canonical_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.docs.size()));
}
BENCHMARK(BM_CanonSha256)->Unit(benchmark::kMillisecond);

// --- SHA-256 alone over the same canonical bytes -------------------------------------------------

void BM_Sha256_Pith(benchmark::State& state) {  // pith::Sha256 (OpenSSL EVP behind it)
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (const std::string& s : c.canonical) {
      pith::Digest h = pith::Sha256(s);
      benchmark::DoNotOptimize(h);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.canonical_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.canonical.size()));
}
BENCHMARK(BM_Sha256_Pith)->Unit(benchmark::kMillisecond);

void BM_Sha256_Libsodium(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  unsigned char h[crypto_hash_sha256_BYTES];
  for (auto _ : state) {
    for (const std::string& s : c.canonical) {
      crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(s.data()), s.size());
      benchmark::DoNotOptimize(h);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.canonical_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.canonical.size()));
}
BENCHMARK(BM_Sha256_Libsodium)->Unit(benchmark::kMillisecond);

// OpenSSL one-shot EVP_Digest with EVP_sha256(): an implicit algorithm fetch on every call.
void BM_Sha256_OpenSSL_EVP_Digest(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  unsigned char h[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  for (auto _ : state) {
    for (const std::string& s : c.canonical) {
      EVP_Digest(s.data(), s.size(), h, &len, EVP_sha256(), nullptr);
      benchmark::DoNotOptimize(h);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.canonical_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.canonical.size()));
}
BENCHMARK(BM_Sha256_OpenSSL_EVP_Digest)->Unit(benchmark::kMillisecond);

// OpenSSL EVP with the algorithm fetched once and one context reused: how it should be called.
void BM_Sha256_OpenSSL_EVP_Prefetched(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char h[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  for (auto _ : state) {
    for (const std::string& s : c.canonical) {
      EVP_DigestInit_ex2(ctx, md, nullptr);
      EVP_DigestUpdate(ctx, s.data(), s.size());
      EVP_DigestFinal_ex(ctx, h, &len);
      benchmark::DoNotOptimize(h);
    }
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.canonical_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.canonical.size()));
}
BENCHMARK(BM_Sha256_OpenSSL_EVP_Prefetched)->Unit(benchmark::kMillisecond);

// --- pieces of section 3 -------------------------------------------------------------------------

// A deep copy of a parsed document (the merge and the store copy documents in several places).
void BM_DocumentCopy(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (const pith::json::Value& d : c.docs) {
      pith::json::Value copy = d;
      benchmark::DoNotOptimize(copy);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.docs.size()));
}
BENCHMARK(BM_DocumentCopy)->Unit(benchmark::kMillisecond);

// content_sha256: sha256(canon(doc without signature, content_sha256, event_id)), as the engine does it.
void BM_EventContentDigest(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (const pith::json::Value& d : c.docs) {
      pith::Digest h = pith::EventContentDigest(d);
      benchmark::DoNotOptimize(h);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.docs.size()));
}
BENCHMARK(BM_EventContentDigest)->Unit(benchmark::kMillisecond);

// The whole of section 3 for one document (two canon+SHA-256 passes, one or two verifications), 1 thread.
void BM_CheckDocument(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (size_t i = 0; i < c.docs.size(); ++i) {
      pith::DocumentVerdict v = pith::CheckDocument(c.docs[i], c.subjects[i], c.keys);
      benchmark::DoNotOptimize(v);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.docs.size()));
}
BENCHMARK(BM_CheckDocument)->Unit(benchmark::kMillisecond);

// Parse + section 3: what a cold merge must do per line, 1 thread.
void BM_ParseAndCheck(benchmark::State& state) {
  const Corpus& c = *g_corpus;
  for (auto _ : state) {
    for (size_t i = 0; i < c.lines.size(); ++i) {
      auto doc = pith::json::Parse(c.lines[i]);
      pith::DocumentVerdict v = pith::CheckDocument(*doc, c.subjects[i], c.keys);
      benchmark::DoNotOptimize(v);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.lines.size()));
}
BENCHMARK(BM_ParseAndCheck)->Unit(benchmark::kMillisecond);

// --- the verification ceiling --------------------------------------------------------------------

constexpr size_t kVerifyBatch = 2000;

size_t VerifyRange(size_t begin, size_t count) {
  const auto& s = g_corpus->signed_digests;
  size_t ok = 0;
  for (size_t k = 0; k < count; ++k) {
    const Corpus::Signed& e = s[(begin + k) % s.size()];
    ok += crypto_sign_verify_detached(e.sig.data(), e.digest.data(), e.digest.size(), e.key.data()) == 0;
  }
  return ok;
}

void BM_VerifyCeiling_1Thread(benchmark::State& state) {
  size_t offset = 0;
  for (auto _ : state) {
    size_t ok = VerifyRange(offset, kVerifyBatch);
    if (ok != kVerifyBatch) state.SkipWithError("a signature failed to verify");
    offset += kVerifyBatch;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kVerifyBatch));
}
BENCHMARK(BM_VerifyCeiling_1Thread)->Unit(benchmark::kMillisecond)->UseRealTime();

// Every core: hardware_concurrency() threads, each verifying its own batch; rate over wall time.
void BM_VerifyCeiling_AllCores(benchmark::State& state) {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<size_t> failures{0};
  for (auto _ : state) {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([t, &failures] {
        if (VerifyRange(t * kVerifyBatch, kVerifyBatch) != kVerifyBatch) ++failures;
      });
    }
    for (std::thread& th : pool) th.join();
  }
  if (failures != 0) state.SkipWithError("a signature failed to verify");
  state.counters["threads"] = threads;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kVerifyBatch * threads));
}
BENCHMARK(BM_VerifyCeiling_AllCores)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (sodium_init() < 0) Die("sodium_init failed");
  LoadCorpus();
  std::fprintf(stderr, "corpus: %zu documents, %zu line bytes, %zu canonical bytes, %zu signed digests\n",
               g_corpus->docs.size(), g_corpus->line_bytes, g_corpus->canonical_bytes, g_corpus->signed_digests.size());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
