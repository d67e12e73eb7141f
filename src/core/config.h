// Experiment configuration: plain option structs named like their YAML keys,
// loaded strictly. Precedence: struct defaults < experiment YAML < sweep axis
// < command-line `key=value`. Each layer is applied on top of the previous one
// and reports errors with its own source (file:line, or the override text).
#pragma once

#include <string>
#include <vector>

#include "core/schema.h"

namespace YAML {
class Node;
}

namespace ablate {

// Pre-training data mixture by fraction of training sequences (MM1 section
// 3.3: captioned images, interleaved image-text documents, text only).
struct MixOptions {
  double captions = 0.45;
  double interleaved = 0.45;
  double text = 0.10;

  template <class V>
  void visit(V& v) {
    v.field("captions", captions, "weight of image-caption documents", at_least(0.0));
    v.field("interleaved", interleaved, "weight of interleaved image-text documents",
            at_least(0.0));
    v.field("text", text, "weight of text-only documents", at_least(0.0));
  }
};

struct DataOptions {
  int resolution = 32;          // image side the encoder sees, px
  int render_resolution = 192;  // scenes are drawn here, then area-downsampled
  int min_objects = 1;
  int max_objects = 3;
  MixOptions mix;
  double synthetic_captions = 0.0;    // share of caption documents with dense captions (VeCap)
  double shape_first_captions = 0.0;  // share of captions naming shapes first
  int max_images = 3;                 // images per interleaved document (2..max_images)
  double text_scenes = 0.25;          // share of scenes with a sign (rendered text)
  double fashion_scenes = 0.15;       // share of training scenes of real photos (data/fashion.h)
  double textured_objects = 0.0;      // share of objects with a surface pattern (data/scene.h)
  double text_scene_questions = 0.0;  // share of text sentences: described objects, a fact asked

  template <class V>
  void visit(V& v) {
    v.field("resolution", resolution, "image side in px seen by the encoder", in_range(8, 1024));
    v.field("render_resolution", render_resolution,
            "native render side in px; must be a multiple of resolution", in_range(8, 2048));
    v.field("min_objects", min_objects, "fewest objects in a scene", in_range(1, 6));
    v.field("max_objects", max_objects, "most objects in a scene", in_range(1, 6));
    v.section("mix", mix);
    v.field("synthetic_captions", synthetic_captions,
            "share of caption documents with dense synthetic captions (MM1's VeCap)",
            in_range(0.0, 1.0));
    v.field("shape_first_captions", shape_first_captions,
            "share of training captions (caption documents and interleaved ones) that name each "
            "object's shape before its colour and pattern, \"a small star that is striped and "
            "red\" (0: always \"a small striped red star\"); the last round(5 x share) of the "
            "5 captioning references are written so too",
            in_range(0.0, 1.0));
    v.field("max_images", max_images, "most images in an interleaved document", in_range(2, 8));
    v.field("text_scenes", text_scenes, "share of scenes with a sign showing a word or number",
            in_range(0.0, 1.0));
    v.field("fashion_scenes", fashion_scenes,
            "share of training scenes of Fashion-MNIST photos (0: no real images)",
            in_range(0.0, 1.0));
    v.field("textured_objects", textured_objects,
            "share of objects with a striped, dotted or checked surface (0: the world has no "
            "textures and never names them)",
            in_range(0.0, 1.0));
    v.field("text_scene_questions", text_scene_questions,
            "share of text-document sentences that describe objects in words and ask a knowledge "
            "question about one of them (data/knowledge.h; 0: none)",
            in_range(0.0, 1.0));
  }
};

// Encoder sizes standing for MM1's ViT-B / ViT-L / ViT-H at proxy scale.
inline const std::vector<SizePreset> kEncoderSizes = {
    {"tiny", 16, 1, 2}, {"b", 64, 2, 4}, {"l", 96, 4, 4}, {"h", 128, 6, 8}};
// LM sizes standing for MM1's 3B / 7B / 30B at proxy scale.
inline const std::vector<SizePreset> kLmSizes = {
    {"tiny", 16, 1, 2}, {"3b", 128, 2, 4}, {"7b", 192, 4, 6}, {"30b", 256, 6, 8}};

// Pre-training of the image encoder before the VLM stage (MM1 section 3.2:
// contrastive CLIP vs reconstructive AIM, with or without synthetic dense
// captions). The result is cached and shared by every trial that asks for the
// same encoder (pretrain/cache.h).
struct EncoderPretrainOptions {
  std::string objective = "none";  // none: random init, trained only in the VLM stage
  int steps = 1500;
  int batch_size = 64;
  double lr = 2e-3;
  int warmup_steps = 100;
  int resolution = 0;              // 0: data.resolution
  std::string captions = "short";  // clip text: short alt-text, dense (VeCap-like), or mixed
  int seed = 0;                    // shared by every trial: one encoder per sweep
  bool hard_negatives = false;     // clip: pairs of scenes that differ in one detail
  std::vector<std::string> twin_changes = {"shape"};  // the details a hard negative may change
  int max_objects = 0;             // 0: data.max_objects; 1 = single-object scenes
  double single_object_share = 0;  // share of examples (pairs) of one object
  int text_width = 64;             // clip text tower
  int text_depth = 2;
  int embed_dim = 64;  // clip joint embedding width
  int head_depth = 2;  // aim: MLP layers of the pixel-prediction head

  template <class V>
  void visit(V& v) {
    v.field("objective", objective, "none, clip (contrastive) or aim (next-patch pixels)",
            one_of({"none", "clip", "aim"}));
    v.field("steps", steps, "pre-training steps", in_range(1, 10000000));
    v.field("batch_size", batch_size, "images per step (clip: in-batch negatives)",
            in_range(2, 65536));
    v.field("lr", lr, "peak AdamW learning rate", in_range(0.0, 1.0));
    v.field("warmup_steps", warmup_steps, "linear warmup steps", at_least(0));
    v.field("resolution", resolution,
            "image side during pre-training (0: data.resolution); position embeddings are "
            "resized to the trial's resolution",
            in_range(0, 1024));
    v.field("captions", captions,
            "clip text: short alt-text, dense synthetic captions (VeCap), or mixed (each "
            "example one or the other, even odds)",
            one_of({"short", "dense", "mixed"}));
    v.field("seed", seed, "pre-training seed (the same for every trial)", at_least(0));
    v.field("hard_negatives", hard_negatives,
            "examples come in pairs whose scenes differ only in one detail (twin_changes), so "
            "in-batch negatives cannot be told apart by colour, size or count alone");
    v.field("twin_changes", twin_changes,
            "with hard_negatives, what a pair's second scene changes (one of them, drawn "
            "among those its scene has): an object's shape, an object's texture (worlds with "
            "textures), the sign's text (scenes with a sign), binding (two objects of "
            "different colours and shapes swap colours: NegCLIP's swapped attributes); a "
            "scene with none of them changes a shape",
            each_one_of({"shape", "texture", "sign", "binding"}));
    v.field("max_objects", max_objects,
            "most objects per pre-training scene (0: data.max_objects); 1 makes every "
            "hard-negative pair differ in its only object's shape",
            in_range(0, 6));
    v.field("single_object_share", single_object_share,
            "share of pre-training examples (hard-negative pairs) whose scene holds one "
            "object: with hard_negatives, pairs told apart only by shape, among multi-object "
            "scenes for the rest",
            in_range(0.0, 1.0));
    v.field("text_width", text_width, "clip text tower width", in_range(8, 4096));
    v.field("text_depth", text_depth, "clip text tower blocks", in_range(1, 64));
    v.field("embed_dim", embed_dim, "clip joint embedding width", in_range(4, 4096));
    v.field("head_depth", head_depth, "aim head MLP layers", in_range(1, 16));
  }
};

struct EncoderOptions {
  std::string type = "vit";
  std::string size = "custom";
  int patch_size = 4;
  int width = 64;
  int depth = 2;
  int num_heads = 4;
  double mlp_ratio = 4.0;
  int output_layer = -1;  // -1: last block (+ final norm); -2: second-to-last, as LLaVA
  EncoderPretrainOptions pretrain;

  template <class V>
  void visit(V& v) {
    v.field("type", type, "registered image encoder", non_empty());
    v.preset("size", size, "named size (tiny, b, l, h) setting width, depth, num_heads",
             kEncoderSizes, width, depth, num_heads);
    v.field("patch_size", patch_size, "patch side in px; must divide data.resolution",
            in_range(1, 64));
    v.field("width", width, "feature width D_enc", in_range(8, 4096));
    v.field("depth", depth, "transformer blocks", in_range(0, 64));
    v.field("num_heads", num_heads, "attention heads; must divide width", in_range(1, 64));
    v.field("mlp_ratio", mlp_ratio, "MLP hidden width / width", in_range(0.25, 16.0));
    v.field("output_layer", output_layer,
            "vit: block whose output the connector sees, counted from the end (-1: last, with "
            "the final norm; -2: second-to-last, as LLaVA)",
            in_range(-64, -1));
    v.section("pretrain", pretrain);
  }
};

struct ConnectorOptions {
  std::string type = "avg_pool";
  int num_tokens = 16;     // visual tokens per image, for connectors that choose it
  int num_heads = 4;       // attention heads, for connectors that attend
  int depth = 3;           // c_abstractor: blocks per stage; perceiver_resampler: layers
  int shuffle_factor = 2;  // pixel_shuffle: r, merging r x r patches into one token
  bool pos_embed = false;  // learned position embedding on the patches (c_abstractor: always)
  int attention_layers = 0;  // bidirectional self-attention blocks over the patches, first

  template <class V>
  void visit(V& v) {
    v.field("type", type, "registered vision-language connector", non_empty());
    v.field("num_tokens", num_tokens, "visual tokens per image (connectors that choose N)",
            in_range(1, 4096));
    v.field("num_heads", num_heads, "attention heads (attention connectors)", in_range(1, 64));
    v.field("depth", depth, "c_abstractor blocks per stage / perceiver_resampler layers",
            in_range(0, 32));
    v.field("shuffle_factor", shuffle_factor, "pixel_shuffle: r x r patches per token",
            in_range(1, 16));
    v.field("pos_embed", pos_embed, "add a learned position embedding to the patch features");
    v.field("attention_layers", attention_layers,
            "self-attention blocks over the patch features before the connector reduces them",
            in_range(0, 16));
  }
};

// Mixture-of-experts feed-forward (MM1's MoE variants; Shazeer et al. 2017,
// Fedus et al. 2022): num_experts SwiGLU experts, top_k routing per token.
struct MoeOptions {
  int num_experts = 0;  // 0: dense feed-forward
  int top_k = 2;
  double aux_loss_weight = 0.01;  // load-balancing loss (Switch Transformer)
  double capacity_factor = 0.0;   // 0: no limit; else slots per expert = factor * tokens * k / E

  template <class V>
  void visit(V& v) {
    v.field("num_experts", num_experts, "experts per MoE layer (0: dense)", in_range(0, 256));
    v.field("top_k", top_k, "experts per token", in_range(1, 256));
    v.field("aux_loss_weight", aux_loss_weight, "weight of the load-balancing loss",
            in_range(0.0, 10.0));
    v.field("capacity_factor", capacity_factor,
            "expert capacity in training as a multiple of an even share of the routing slots; "
            "tokens over it skip the expert (0: no limit)",
            in_range(0.0, 64.0));
  }
};

// Text-only pre-training of the LM before the VLM stage (MM1 starts from a
// pre-trained LLM): next-token loss on the world's text documents and on
// caption text without its image. Cached and shared by every trial with the
// same LM (pretrain/cache.h). steps 0: the LM starts from random weights.
struct LmPretrainOptions {
  int steps = 0;
  int batch_size = 32;
  double lr = 2e-3;
  int warmup_steps = 50;
  double caption_text =
      0.5;       // share of sequences that are a caption's text, the rest text documents
  int seed = 0;  // shared by every trial: one LM per sweep
  // The VLM stage starts from shrink x the pre-trained weights + (1 - shrink)
  // x its own fresh initialisation ("shrink and perturb", Ash and Adams 2020:
  // warm-started networks learn new data worse, results/proxy/lm_transfer.md).
  // Applied when a trial loads the LM, so not part of the cached LM's key.
  double shrink = 1.0;

  template <class V>
  void visit(V& v) {
    v.field("steps", steps, "text-only pre-training steps of the LM (0: from scratch)",
            in_range(0, 10000000));
    v.field("batch_size", batch_size, "sequences per step", in_range(1, 65536));
    v.field("lr", lr, "peak AdamW learning rate", in_range(0.0, 1.0));
    v.field("warmup_steps", warmup_steps, "linear warmup steps", at_least(0));
    v.field("caption_text", caption_text,
            "share of pre-training sequences that are caption text (without the image); the "
            "rest are text-only documents",
            in_range(0.0, 1.0));
    v.field("seed", seed, "pre-training seed (the same for every trial)", at_least(0));
    v.field("shrink", shrink,
            "the VLM stage starts from shrink x pre-trained + (1 - shrink) x fresh weights "
            "(1: the pre-trained LM as it is)",
            in_range(0.0, 1.0));
  }
};

struct LmOptions {
  std::string size = "custom";
  int width = 128;
  int depth = 2;
  int num_heads = 4;
  double mlp_ratio = 4.0;
  bool tie_embeddings = true;
  int max_seq_len = 1024;
  MoeOptions moe;
  LmPretrainOptions pretrain;

  template <class V>
  void visit(V& v) {
    v.preset("size", size, "named size (tiny, 3b, 7b, 30b) setting width, depth, num_heads",
             kLmSizes, width, depth, num_heads);
    v.field("width", width, "model width D_lm", in_range(8, 8192));
    v.field("depth", depth, "decoder blocks", in_range(1, 128));
    v.field("num_heads", num_heads, "attention heads; width/num_heads must be even (rotary)",
            in_range(1, 128));
    v.field("mlp_ratio", mlp_ratio, "SwiGLU hidden width / width", in_range(0.25, 16.0));
    v.field("tie_embeddings", tie_embeddings, "share input embedding and output head");
    v.field("max_seq_len", max_seq_len, "longest sequence (visual + text tokens)",
            in_range(16, 65536));
    v.section("moe", moe);
    v.section("pretrain", pretrain);
  }
};

struct TrainOptions {
  int steps = 600;
  int batch_size = 32;
  // The step's documents sorted by length and split into this many
  // micro-batches, each padded to its own longest and accumulated into one
  // gradient: the same loss up to rounding (MoE load balancing is then per
  // micro-batch), less work on padding (1: one padded batch, stream order).
  int length_buckets = 1;
  double lr = 2e-3;
  double weight_decay = 0.05;
  int warmup_steps = 50;
  double min_lr_ratio = 0.1;  // cosine decays to lr * min_lr_ratio
  double grad_clip = 1.0;     // max global gradient norm; 0 disables
  int log_every = 25;
  int checkpoint_every = 100;  // not part of the trial id: resumed runs are bit-identical
  std::string precision = "fp32";
  int threads = 0;                  // 0: leave torch's default (the runner sets it per trial)
  std::vector<std::string> freeze;  // stages kept at their initial weights
  // Learning rate of each stage as a multiple of lr (nanoVLM trains its
  // projector with a much larger rate than its backbones).
  double encoder_lr_scale = 1.0;
  double connector_lr_scale = 1.0;
  double lm_lr_scale = 1.0;

  template <class V>
  void visit(V& v) {
    v.field("steps", steps, "optimizer steps", in_range(1, 10000000));
    v.field("batch_size", batch_size, "sequences per step", in_range(1, 65536));
    v.field("length_buckets", length_buckets,
            "micro-batches of similar-length documents per step (gradient accumulation)",
            in_range(1, 65536));
    v.field("lr", lr, "peak AdamW learning rate", in_range(0.0, 1.0));
    v.field("weight_decay", weight_decay, "AdamW decoupled weight decay", in_range(0.0, 1.0));
    v.field("warmup_steps", warmup_steps,
            "linear warmup steps before the cosine decay (more than steps: lr never peaks)",
            at_least(0));
    v.field("min_lr_ratio", min_lr_ratio, "final lr as a fraction of lr", in_range(0.0, 1.0));
    v.field("grad_clip", grad_clip, "max global gradient norm (0: off)", at_least(0.0));
    v.field("log_every", log_every, "steps between metrics.jsonl lines", at_least(1));
    v.field("checkpoint_every", checkpoint_every,
            "steps between checkpoints of a trial (0: only after the last step)", at_least(0));
    v.field("precision", precision, "fp32, or bf16 autocast", one_of({"fp32", "bf16"}));
    v.field("threads", threads, "intra-op threads (0: runner/torch default)", in_range(0, 1024));
    v.field("freeze", freeze, "stages not trained", each_one_of({"encoder", "connector", "lm"}));
    v.field("encoder_lr_scale", encoder_lr_scale, "encoder lr / lr", in_range(0.0, 1000.0));
    v.field("connector_lr_scale", connector_lr_scale, "connector lr / lr", in_range(0.0, 1000.0));
    v.field("lm_lr_scale", lm_lr_scale, "LM lr / lr", in_range(0.0, 1000.0));
  }
};

// The benchmarks of the proxy world (eval/benchmark.h), in report order.
inline const std::vector<std::string> kBenchmarkNames = {
    "caption",     "text_caption",  "vqa",         "text_vqa",
    "spatial_vqa", "knowledge_vqa", "fashion_vqa", "text_core"};

struct EvalOptions {
  // Per benchmark: at 2,500 items an accuracy near 50% has a sampling
  // standard error of 1.0 point (../shared/PROXY-NOTES.md, point 4); every
  // score card records each score's own (<benchmark>.<k>shot.stderr).
  int num_items = 2500;
  int seed = 1000003;  // evaluation scenes: the same for every trial, disjoint from training
  std::vector<std::string> benchmarks = kBenchmarkNames;
  std::vector<int> shots = {0, 4, 8};  // in-context examples before each query (MM1: 0, 4, 8)
  int shot_pool = 100;                 // per benchmark: the items few-shot examples come from
  int batch_size = 125;
  int max_caption_tokens = 24;
  int max_answer_tokens = 4;

  template <class V>
  void visit(V& v) {
    v.field("num_items", num_items, "evaluation items per benchmark", in_range(1, 1000000));
    v.field("seed", seed, "seed of the evaluation scenes (shared by all trials)", at_least(0));
    v.field("benchmarks", benchmarks, "benchmarks scored", each_one_of(kBenchmarkNames));
    v.field("shots", shots, "few-shot settings, each 0..16", each_in_range(0, 16));
    v.field("shot_pool", shot_pool, "items per benchmark that few-shot examples are drawn from",
            in_range(16, 100000));
    v.field("batch_size", batch_size, "sequences per evaluation forward", in_range(1, 65536));
    v.field("max_caption_tokens", max_caption_tokens, "decoding limit for captions",
            in_range(1, 1024));
    v.field("max_answer_tokens", max_answer_tokens, "decoding limit for answers",
            in_range(1, 1024));
  }
};

struct ExperimentConfig {
  std::string name = "experiment";
  int seed = 0;
  std::string device = "cpu";
  DataOptions data;
  EncoderOptions encoder;
  ConnectorOptions connector;
  LmOptions lm;
  TrainOptions train;
  EvalOptions eval;

  template <class V>
  void visit(V& v) {
    v.field("name", name, "experiment name", non_empty());
    v.field("seed", seed, "seed of initialisation and training data order", at_least(0));
    v.field("device", device, "cpu, or cuda when built with it", one_of({"cpu", "cuda"}));
    v.section("data", data);
    v.section("encoder", encoder);
    v.section("connector", connector);
    v.section("lm", lm);
    v.section("train", train);
    v.section("eval", eval);
  }
};

// Applies one YAML layer (a map) on top of `config`. `source` names the layer
// in errors: a file path (then `has_lines` adds :line) or an override's text.
void apply_yaml(ExperimentConfig& config, const YAML::Node& node, const std::string& source,
                bool has_lines);

// Sets one dotted key (e.g. "train.steps") to a YAML value, with the same
// strict checks as a file.
void apply_value(ExperimentConfig& config, const std::string& dotted_key, const YAML::Node& value,
                 const std::string& source, bool has_lines);

// Applies a `dotted.key=value` override; the value is parsed as YAML.
void apply_override(ExperimentConfig& config, const std::string& assignment,
                    const std::string& source);

// Loads an experiment file and applies overrides in order. Field-level checks
// only; cross-field checks need the registries (see model/config_check.h).
ExperimentConfig load_experiment(const std::string& path,
                                 const std::vector<std::string>& overrides = {});

// Resolved config as YAML, every field present, in declaration order.
std::string to_yaml(const ExperimentConfig& config);

// Bumped whenever a default changes meaning or value, or the world's
// generators change what a config trains on or is scored on (2: the world of
// documents, few-shot benchmarks and signs; 3: each stage initialised from its
// own seed, 2,500 evaluation items, log-likelihoods and shortcut baselines;
// 4: Fashion-MNIST photos in training and fashion_vqa, their words in the vocabulary;
// 5: knowledge questions about images in interleaved documents for half of the
// facts, knowledge_vqa asking only about the other half; 6: texture words in
// the vocabulary, data.textured_objects; 7: numerals tokenized as digits, the
// sign numbers 10-99 out of the vocabulary):
// trial ids hash only the values that differ from the defaults, plus this number.
inline constexpr int kConfigSchemaVersion = 7;

// Stable identity of a resolved config: 16 hex digits of FNV-1a over the
// "key: value" lines that differ from the defaults, and kConfigSchemaVersion.
std::string config_hash(const ExperimentConfig& config);

// Every dotted key with its help text and default, for `ablate list`.
std::vector<std::pair<std::string, std::string>> describe_fields();

}  // namespace ablate
