// EfficientNet-Lite0 on XNNPACK (Debian libxnnpack-dev: one subgraph as the product runs it, or
// one operator per layer) and on oneDNN (Debian libdnnl-dev, one primitive per layer, fused
// post-ops), from the folded layers export_layers.py writes. A study tool, not part of the product: it answers
// "where does each engine spend its time" and "is oneDNN faster", which the product's XNNPACK
// subgraph (no per-operator profiling in Debian's 2022 snapshot) cannot.
//
//   g++ -O2 -std=c++17 -fopenmp engines.cpp -o engines -lXNNPACK -lpthreadpool -lcpuinfo -ldnnl
//   ./engines DATA_DIR xnnpack|xnnpack-graph|onednn THREADS ITERATIONS [--layers | --paced MS]
//
// `xnnpack-graph` is the product's way (one subgraph and runtime, whole-network timing only), to
// check that the one-operator-per-layer `xnnpack` times what the product runs.
// Always checks the two golden images first (max |difference| of features and logits), then:
//   (default)  ITERATIONS end-to-end runs: median wall clock and median process CPU time;
//   --layers   each layer's median thread CPU time over ITERATIONS runs (one thread only);
//   --paced MS ITERATIONS runs each followed by MS of sleep, as a camera paces them: wall time
//              per inference and process CPU per frame (what the pool's idle workers burn).
// Environment: ONEDNN_ACTIVATIONS=nhwc forces NHWC activations (default: oneDNN chooses);
// ONEDNN_POOLING=pooling or reduction averages with that primitive instead of a depthwise 7×7;
// OMP_WAIT_POLICY=passive makes OpenMP's idle workers sleep instead of spinning.
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>
#include <pthreadpool.h>
#include <unistd.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

struct Layer {
  bool depthwise;
  int kernel, stride, in, out, inSide, outSide;
  bool relu6, residual;
  size_t filter, bias;  // offsets into the weights
};

std::string dataDir;
std::vector<Layer> layers;
std::vector<float> weights;
size_t classifierWeights, classifierBias;

double seconds(clockid_t clock) {
  timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
double wall() { return seconds(CLOCK_MONOTONIC); }
double processCPU() { return seconds(CLOCK_PROCESS_CPUTIME_ID); }
double threadCPU() { return seconds(CLOCK_THREAD_CPUTIME_ID); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void fail(const std::string& message) {
  fprintf(stderr, "engines: %s\n", message.c_str());
  exit(1);
}

std::vector<float> readFloats(const std::string& name, size_t count) {
  std::string path = dataDir + "/" + name;
  std::vector<float> v(count);
  FILE* f = fopen(path.c_str(), "rb");
  if (!f || fread(v.data(), sizeof(float), count, f) != count) fail(path + ": missing or short");
  fclose(f);
  return v;
}

// TensorFlow "SAME" padding: the extra row or column goes after.
void samePadding(int side, int kernel, int stride, int& before, int& after) {
  int out = (side + stride - 1) / stride;
  int total = std::max((out - 1) * stride + kernel - side, 0);
  before = total / 2;
  after = total - before;
}

void loadLayers() {
  std::string path = dataDir + "/layers.txt";
  FILE* f = fopen(path.c_str(), "r");
  int count = 0;
  if (!f || fscanf(f, "%d", &count) != 1) fail(path + ": missing or unreadable");
  size_t offset = 0;
  for (int i = 0; i < count; i++) {
    Layer l;
    char kind[8];
    int relu6, residual;
    if (fscanf(f, "%7s %d %d %d %d %d %d %d", kind, &l.kernel, &l.stride, &l.in, &l.out, &l.inSide, &relu6,
               &residual) != 8)
      fail(path + ": bad line " + std::to_string(i + 2));
    l.depthwise = std::string(kind) == "dw";
    l.relu6 = relu6, l.residual = residual;
    l.outSide = (l.inSide + l.stride - 1) / l.stride;
    l.filter = offset;
    offset += size_t(l.out) * (l.depthwise ? 1 : l.in) * l.kernel * l.kernel;
    l.bias = offset;
    offset += l.out;
    layers.push_back(l);
  }
  fclose(f);
  classifierWeights = offset;
  classifierBias = offset + 1000 * 1280;
  weights = readFloats("weights.bin", classifierBias + 1000);
}

// Three activation buffers used in turn, as XNNPACK's runtime plans its workspace: a layer
// writes into one that holds neither its input nor the current block's input. (A buffer per
// layer, ~30 MB in all, made the whole network 20–50 % slower than the product's subgraph.)
struct Arena {
  static constexpr size_t floatsEach = 2 * 1024 * 1024;  // 8 MB: the largest activation is 4.8 MB
  std::vector<float> buffers[3] = {std::vector<float>(floatsEach), std::vector<float>(floatsEach),
                                   std::vector<float>(floatsEach)};
  float* freeBuffer(const void* busy1, const void* busy2) {
    for (auto& b : buffers)
      if (b.data() != busy1 && b.data() != busy2) return b.data();
    fail("no free activation buffer");
  }
};

// XNNPACK reads dense filters OHWI and depthwise ones [k][k][C] (the export is OIHW).
std::vector<float> xnnpackFilter(const Layer& l) {
  const int taps = l.kernel * l.kernel, inputs = l.depthwise ? 1 : l.in;
  std::vector<float> filter(size_t(l.out) * inputs * taps);
  for (int o = 0; o < l.out; o++)
    for (int i = 0; i < inputs; i++)
      for (int t = 0; t < taps; t++) {
        float w = weights[l.filter + (size_t(o) * inputs + i) * taps + t];
        filter[l.depthwise ? size_t(t) * l.out + o : (size_t(o) * taps + t) * l.in + i] = w;
      }
  return filter;
}

// XNNPACK: NHWC, clamps fused into the convolutions, the residual a separate add (as in the
// product's subgraph). Steps are timed one by one with --layers; a residual layer's add counts
// with its projection.
struct XNNPACKNetwork {
  std::vector<xnn_operator_t> steps;
  std::vector<int> layerOfStep;
  std::vector<std::vector<float>> filters;
  Arena arena;
  pthreadpool_t pool = nullptr;
  std::vector<float> input = std::vector<float>(224 * 224 * 3);
  std::vector<float> embedding = std::vector<float>(1280), logits = std::vector<float>(1000);

  explicit XNNPACKNetwork(int threads) {
    if (xnn_initialize(nullptr) != xnn_status_success) fail("xnn_initialize failed");
    if (threads > 1) pool = pthreadpool_create(threads);
    const float* x = input.data();
    const float* blockInput = nullptr;
    for (size_t li = 0; li < layers.size(); li++) {
      const Layer& l = layers[li];
      int top, bottom, left, right;
      samePadding(l.inSide, l.kernel, l.stride, top, bottom);
      samePadding(l.inSide, l.kernel, l.stride, left, right);
      std::vector<float> filter = xnnpackFilter(l);
      filters.push_back(std::move(filter));
      xnn_operator_t op;
      if (xnn_create_convolution2d_nhwc_f32(top, right, bottom, left, l.kernel, l.kernel, l.stride, l.stride, 1, 1,
                                            l.depthwise ? l.out : 1, l.depthwise ? 1 : l.in,
                                            l.depthwise ? 1 : l.out, l.in, l.out, filters.back().data(),
                                            &weights[l.bias], l.relu6 ? 0.f : -INFINITY, l.relu6 ? 6.f : INFINITY,
                                            l.depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &op))
        fail("xnn_create_convolution2d_nhwc_f32 failed at layer " + std::to_string(li));
      float* y = arena.freeBuffer(x, blockInput);
      xnn_setup_convolution2d_nhwc_f32(op, 1, l.inSide, l.inSide, x, y, pool);
      steps.push_back(op);
      layerOfStep.push_back(int(li));
      if (l.residual) {
        xnn_operator_t add;
        xnn_create_add_nd_f32(-INFINITY, INFINITY, 0, &add);
        size_t shape[4] = {1, size_t(l.outSide), size_t(l.outSide), size_t(l.out)};
        float* sum = arena.freeBuffer(y, blockInput);  // the projection's input is no longer needed
        xnn_setup_add_nd_f32(add, 4, shape, 4, shape, y, blockInput, sum, pool);
        steps.push_back(add);
        layerOfStep.push_back(int(li));
        y = sum;
      }
      x = y;
      if (!l.relu6) blockInput = x;  // a block's output (its linear projection) is the next block's input
    }
    xnn_operator_t pooling, classifier;
    xnn_create_global_average_pooling_nwc_f32(1280, 1280, 1280, -INFINITY, INFINITY, 0, &pooling);
    xnn_setup_global_average_pooling_nwc_f32(pooling, 1, 49, x, embedding.data(), pool);
    xnn_create_fully_connected_nc_f32(1280, 1000, 1280, 1000, &weights[classifierWeights], &weights[classifierBias],
                                      -INFINITY, INFINITY, 0, &classifier);
    xnn_setup_fully_connected_nc_f32(classifier, 1, embedding.data(), logits.data(), pool);
    for (auto op : {pooling, classifier}) steps.push_back(op), layerOfStep.push_back(int(layers.size()));
  }

  void setInput(const std::vector<float>& nhwc) { input = nhwc; }

  void run(std::vector<std::vector<double>>* perLayer) {
    for (size_t i = 0; i < steps.size(); i++) {
      double start = perLayer ? threadCPU() : 0;
      xnn_run_operator(steps[i], pool);
      if (perLayer) (*perLayer)[layerOfStep[i]].back() += threadCPU() - start;
    }
  }
};

// XNNPACK as the product runs it (Sources/Vision/NetworkGraph.swift): one subgraph, one runtime,
// the classifier a separate operator. Whole-network timing only.
struct XNNPACKGraphNetwork {
  xnn_subgraph_t subgraph = nullptr;
  xnn_runtime_t runtime = nullptr;
  xnn_operator_t classifier = nullptr;
  pthreadpool_t pool = nullptr;
  std::vector<std::vector<float>> filters;
  std::vector<float> input = std::vector<float>(224 * 224 * 3);
  std::vector<float> embedding = std::vector<float>(1280), logits = std::vector<float>(1000);

  uint32_t value(std::vector<size_t> shape, const void* data = nullptr, uint32_t external = XNN_INVALID_VALUE_ID,
                 uint32_t flags = 0) {
    uint32_t id;
    if (xnn_define_tensor_value(subgraph, xnn_datatype_fp32, shape.size(), shape.data(), data, external, flags, &id))
      fail("xnn_define_tensor_value failed");
    return id;
  }

  explicit XNNPACKGraphNetwork(int threads) {
    if (xnn_initialize(nullptr) != xnn_status_success) fail("xnn_initialize failed");
    if (threads > 1) pool = pthreadpool_create(threads);
    xnn_create_subgraph(2, 0, &subgraph);
    uint32_t x = value({1, 224, 224, 3}, nullptr, 0, XNN_VALUE_FLAG_EXTERNAL_INPUT), blockInput = x;
    for (const Layer& l : layers) {
      int top, bottom, left, right;
      samePadding(l.inSide, l.kernel, l.stride, top, bottom);
      samePadding(l.inSide, l.kernel, l.stride, left, right);
      filters.push_back(xnnpackFilter(l));
      uint32_t filter = l.depthwise ? value({1, size_t(l.kernel), size_t(l.kernel), size_t(l.out)}, filters.back().data())
                                    : value({size_t(l.out), size_t(l.kernel), size_t(l.kernel), size_t(l.in)},
                                            filters.back().data());
      uint32_t bias = value({size_t(l.out)}, &weights[l.bias]);
      uint32_t y = value({1, size_t(l.outSide), size_t(l.outSide), size_t(l.out)});
      float low = l.relu6 ? 0.f : -INFINITY, high = l.relu6 ? 6.f : INFINITY;
      xnn_status status =
          l.depthwise ? xnn_define_depthwise_convolution_2d(subgraph, top, right, bottom, left, l.kernel, l.kernel,
                                                            l.stride, l.stride, 1, 1, 1, l.in, low, high, x, filter,
                                                            bias, y, 0)
                      : xnn_define_convolution_2d(subgraph, top, right, bottom, left, l.kernel, l.kernel, l.stride,
                                                  l.stride, 1, 1, 1, l.in, l.out, low, high, x, filter, bias, y, 0);
      if (status) fail("defining a convolution failed");
      if (l.residual) {
        uint32_t sum = value({1, size_t(l.outSide), size_t(l.outSide), size_t(l.out)});
        xnn_define_add2(subgraph, -INFINITY, INFINITY, y, blockInput, sum, 0);
        y = sum;
      }
      x = y;
      if (!l.relu6) blockInput = x;
    }
    uint32_t pooled = value({1, 1, 1, 1280}, nullptr, 1, XNN_VALUE_FLAG_EXTERNAL_OUTPUT);
    xnn_define_global_average_pooling_2d(subgraph, -INFINITY, INFINITY, x, pooled, 0);
    if (xnn_create_runtime_v2(subgraph, pool, 0, &runtime)) fail("xnn_create_runtime_v2 failed");
    xnn_external_value externals[2] = {{0, input.data()}, {1, embedding.data()}};
    xnn_setup_runtime(runtime, 2, externals);
    xnn_create_fully_connected_nc_f32(1280, 1000, 1280, 1000, &weights[classifierWeights], &weights[classifierBias],
                                      -INFINITY, INFINITY, 0, &classifier);
    xnn_setup_fully_connected_nc_f32(classifier, 1, embedding.data(), logits.data(), pool);
  }

  void setInput(const std::vector<float>& nhwc) { std::copy(nhwc.begin(), nhwc.end(), input.begin()); }

  void run(std::vector<std::vector<double>>* perLayer) {
    if (perLayer) fail("xnnpack-graph times the whole network only");
    xnn_invoke_runtime(runtime);
    xnn_run_operator(classifier, pool);
  }
};

// oneDNN: layouts chosen by the primitives (or NHWC), ReLU6 as an eltwise_clip post-op, the
// residual as a sum post-op writing into the block's input, weights reordered once.
struct OneDNNNetwork {
  using tag = dnnl::memory::format_tag;
  using dt = dnnl::memory::data_type;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<dnnl::primitive> steps;
  std::vector<std::unordered_map<int, dnnl::memory>> arguments;
  std::vector<int> layerOfStep;
  std::vector<std::string> kernels;
  std::vector<float> input = std::vector<float>(224 * 224 * 3);
  std::vector<float> embedding = std::vector<float>(1280), logits = std::vector<float>(1000);
  std::vector<float> averagingFilter, averagingBias;
  Arena arena;

  OneDNNNetwork() {
    const char* forced = getenv("ONEDNN_ACTIVATIONS");
    const tag activations = forced && std::string(forced) == "nhwc" ? tag::nhwc : tag::any;
    dnnl::memory x(dnnl::memory::desc({1, 3, 224, 224}, dt::f32, tag::nhwc), engine, input.data());
    dnnl::memory blockInput = x;
    for (size_t li = 0; li < layers.size(); li++) {
      const Layer& l = layers[li];
      int before, after;
      samePadding(l.inSide, l.kernel, l.stride, before, after);
      dnnl::memory::dims filterDims = l.depthwise ? dnnl::memory::dims{l.out, 1, 1, l.kernel, l.kernel}
                                                  : dnnl::memory::dims{l.out, l.in, l.kernel, l.kernel};
      dnnl::memory::desc source = li == 0 ? x.get_desc()
                                          : dnnl::memory::desc({1, l.in, l.inSide, l.inSide}, dt::f32, activations);
      dnnl::memory::desc bias({l.out}, dt::f32, tag::x);
      dnnl::convolution_forward::desc description(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, source,
          dnnl::memory::desc(filterDims, dt::f32, tag::any), bias,
          dnnl::memory::desc({1, l.out, l.outSide, l.outSide}, dt::f32, activations), {l.stride, l.stride},
          {before, before}, {after, after});
      dnnl::post_ops postOps;
      if (l.residual) postOps.append_sum(1.f);
      if (l.relu6) postOps.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
      dnnl::primitive_attr attributes;
      attributes.set_post_ops(postOps);
      dnnl::convolution_forward::primitive_desc chosen(description, attributes, engine);
      if (chosen.src_desc() != x.get_desc()) {
        dnnl::memory converted(chosen.src_desc(), engine, arena.freeBuffer(x.get_data_handle(), blockInput.get_data_handle()));
        add(dnnl::reorder(x, converted), {{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, converted}}, int(li), "reorder");
        x = converted;
      }
      dnnl::memory given(dnnl::memory::desc(filterDims, dt::f32, l.depthwise ? tag::goihw : tag::oihw), engine,
                         &weights[l.filter]);
      dnnl::memory packed(chosen.weights_desc(), engine);
      dnnl::reorder(given, packed).execute(stream, given, packed);
      dnnl::memory output;
      if (l.residual) {
        if (chosen.dst_desc() != blockInput.get_desc()) fail("residual layout differs at layer " + std::to_string(li));
        output = blockInput;  // the sum post-op adds the block's input in place
      } else {
        if (chosen.dst_desc().get_size() > Arena::floatsEach * sizeof(float)) fail("activation too large");
        output = dnnl::memory(chosen.dst_desc(), engine,
                              arena.freeBuffer(x.get_data_handle(), blockInput.get_data_handle()));
      }
      add(dnnl::convolution_forward(chosen),
          {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, packed}, {DNNL_ARG_BIAS, dnnl::memory(bias, engine, &weights[l.bias])},
           {DNNL_ARG_DST, output}},
          int(li), chosen.impl_info_str());
      x = output;
      if (!l.relu6) blockInput = x;
    }
    // The global average. oneDNN 2.6 has only reference kernels for it as a pooling or a reduction
    // primitive (`ref:any`, 1.3–1.7 ms), so by default it is a 7×7 depthwise convolution whose
    // weights are all 1/49, which runs on the JIT depthwise kernel.
    dnnl::memory::desc pooled({1, 1280, 1, 1}, dt::f32, tag::nchw);
    dnnl::memory embeddingMemory(pooled, engine, embedding.data());
    const char* poolingChoice = getenv("ONEDNN_POOLING");
    const std::string pooling = poolingChoice ? poolingChoice : "depthwise";
    if (pooling == "pooling") {
      dnnl::pooling_forward::primitive_desc average(
          dnnl::pooling_forward::desc(dnnl::prop_kind::forward_inference,
                                      dnnl::algorithm::pooling_avg_exclude_padding, x.get_desc(), pooled, {1, 1},
                                      {7, 7}, {0, 0}, {0, 0}),
          engine);
      add(dnnl::pooling_forward(average), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, embeddingMemory}}, int(layers.size()),
          average.impl_info_str());
    } else if (pooling == "reduction") {
      dnnl::reduction::primitive_desc mean(
          dnnl::reduction::desc(dnnl::algorithm::reduction_mean, x.get_desc(), pooled, 0.f, 0.f), engine);
      add(dnnl::reduction(mean), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, embeddingMemory}}, int(layers.size()),
          mean.impl_info_str());
    } else {
      averagingFilter.assign(1280 * 49, 1.f / 49);
      averagingBias.assign(1280, 0.f);
      dnnl::memory::dims filterDims{1280, 1, 1, 7, 7};
      dnnl::memory::desc bias({1280}, dt::f32, tag::x);
      dnnl::convolution_forward::primitive_desc average(
          dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                          x.get_desc(), dnnl::memory::desc(filterDims, dt::f32, tag::any), bias,
                                          dnnl::memory::desc({1, 1280, 1, 1}, dt::f32, tag::any), {1, 1}, {0, 0},
                                          {0, 0}),
          engine);
      dnnl::memory given(dnnl::memory::desc(filterDims, dt::f32, tag::goihw), engine, averagingFilter.data());
      dnnl::memory packed(average.weights_desc(), engine);
      dnnl::reorder(given, packed).execute(stream, given, packed);
      dnnl::memory averaged(average.dst_desc(), engine);
      add(dnnl::convolution_forward(average),
          {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, packed}, {DNNL_ARG_BIAS, dnnl::memory(bias, engine, averagingBias.data())},
           {DNNL_ARG_DST, averaged}},
          int(layers.size()), average.impl_info_str());
      add(dnnl::reorder(averaged, embeddingMemory), {{DNNL_ARG_FROM, averaged}, {DNNL_ARG_TO, embeddingMemory}},
          int(layers.size()), "reorder");
    }
    dnnl::memory::desc features({1, 1280}, dt::f32, tag::nc), classes({1, 1000}, dt::f32, tag::nc);
    dnnl::memory::desc classBias({1000}, dt::f32, tag::x);
    dnnl::inner_product_forward::primitive_desc classifier(
        dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, features,
                                          dnnl::memory::desc({1000, 1280}, dt::f32, tag::any), classBias, classes),
        engine);
    dnnl::memory given(dnnl::memory::desc({1000, 1280}, dt::f32, tag::oi), engine, &weights[classifierWeights]);
    dnnl::memory packed(classifier.weights_desc(), engine);
    dnnl::reorder(given, packed).execute(stream, given, packed);
    add(dnnl::inner_product_forward(classifier),
        {{DNNL_ARG_SRC, dnnl::memory(features, engine, embedding.data())},
         {DNNL_ARG_WEIGHTS, packed},
         {DNNL_ARG_BIAS, dnnl::memory(classBias, engine, &weights[classifierBias])},
         {DNNL_ARG_DST, dnnl::memory(classes, engine, logits.data())}},
        int(layers.size()), classifier.impl_info_str());
    stream.wait();
  }

  void add(dnnl::primitive p, std::unordered_map<int, dnnl::memory> args, int layer, const std::string& kernel) {
    steps.push_back(p), arguments.push_back(args), layerOfStep.push_back(layer), kernels.push_back(kernel);
  }

  void setInput(const std::vector<float>& nhwc) { std::copy(nhwc.begin(), nhwc.end(), input.begin()); }

  void run(std::vector<std::vector<double>>* perLayer) {
    for (size_t i = 0; i < steps.size(); i++) {
      double start = perLayer ? threadCPU() : 0;
      steps[i].execute(stream, arguments[i]);
      stream.wait();
      if (perLayer) (*perLayer)[layerOfStep[i]].back() += threadCPU() - start;
    }
  }
};

template <class Network>
void checkGolden(Network& network) {
  float features = 0, logits = 0;
  for (const char* image : {"chelsea", "rocket"}) {
    network.setInput(readFloats(std::string(image) + "_input.bin", 224 * 224 * 3));
    network.run(nullptr);
    auto goldenFeatures = readFloats(std::string(image) + "_features.bin", 1280);
    auto goldenLogits = readFloats(std::string(image) + "_logits.bin", 1000);
    for (int i = 0; i < 1280; i++) features = std::max(features, std::fabs(goldenFeatures[i] - network.embedding[i]));
    for (int i = 0; i < 1000; i++) logits = std::max(logits, std::fabs(goldenLogits[i] - network.logits[i]));
  }
  printf("golden (chelsea, rocket): features within %.2e, logits within %.2e\n", features, logits);
}

template <class Network>
void measure(Network& network, int iterations, const std::string& mode, int pauseMs) {
  checkGolden(network);
  for (int i = 0; i < 10; i++) network.run(nullptr);
  if (mode == "--layers") {
    std::vector<std::vector<double>> perLayer(layers.size() + 1);
    for (int i = 0; i < iterations; i++) {
      for (auto& samples : perLayer) samples.push_back(0);
      network.run(&perLayer);
    }
    for (size_t l = 0; l < perLayer.size(); l++)
      printf("layer %2zu %9.1f us\n", l, median(perLayer[l]) * 1e6);  // layer N: pooling + classifier
  } else if (mode == "--paced") {
    double busy = 0, cpu = processCPU();
    for (int i = 0; i < iterations; i++) {
      double start = wall();
      network.run(nullptr);
      busy += wall() - start;
      usleep(pauseMs * 1000);
    }
    printf("paced, %d ms apart: inference %.2f ms (wall), process CPU %.2f ms per frame\n", pauseMs,
           busy / iterations * 1e3, (processCPU() - cpu) / iterations * 1e3);
  } else {
    std::vector<double> walls, cpus;
    for (int i = 0; i < iterations; i++) {
      double w = wall(), c = processCPU();
      network.run(nullptr);
      walls.push_back(wall() - w), cpus.push_back(processCPU() - c);
    }
    printf("median %.3f ms (process CPU %.3f ms)\n", median(walls) * 1e3, median(cpus) * 1e3);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) fail("usage: engines DATA_DIR xnnpack|xnnpack-graph|onednn THREADS ITERATIONS [--layers | --paced MS]");
  dataDir = argv[1];
  const std::string engine = argv[2], mode = argc > 5 ? argv[5] : "";
  const int threads = atoi(argv[3]), iterations = atoi(argv[4]), pauseMs = argc > 6 ? atoi(argv[6]) : 0;
  if (mode == "--layers" && threads != 1) fail("--layers times thread CPU, so it needs one thread");
  loadLayers();
  if (engine == "xnnpack") {
    XNNPACKNetwork network(threads);
    measure(network, iterations, mode, pauseMs);
  } else if (engine == "xnnpack-graph") {
    XNNPACKGraphNetwork network(threads);
    measure(network, iterations, mode, pauseMs);
  } else if (engine == "onednn") {
    omp_set_num_threads(threads);  // oneDNN (Debian's build) runs on OpenMP
    OneDNNNetwork network;
    if (mode == "--layers")
      for (size_t i = 0; i < network.steps.size(); i++)
        printf("kernel %2d %s\n", network.layerOfStep[i], network.kernels[i].c_str());
    measure(network, iterations, mode, pauseMs);
  } else {
    fail("engine must be xnnpack, xnnpack-graph or onednn, not " + engine);
  }
}
