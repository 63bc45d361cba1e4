package dev.torch4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op family of the core API against outputs and gradients computed by PyTorch
 * (fixtures/core_ops.json, written by tests/fixtures/gen_core.py).
 */
class CoreOpsParityTest {
    private static final JsonNode FIXTURE = Fixtures.load("core_ops.json");
    private static final Map<String, Function<Tensor[], Object>> OPS = new HashMap<>();

    private static void op(String name, Function<Tensor[], Object> f) {
        if (OPS.put(name, f) != null) throw new IllegalStateException("duplicate op " + name);
    }

    static {
        op("add", x -> x[0].add(x[1]));
        op("add_broadcast", x -> x[0].add(x[1]));
        op("add_scalar", x -> x[0].add(2.5));
        op("add_alpha", x -> x[0].add(x[1], 0.5));
        op("add_int_scalar", x -> x[0].add(3));
        op("sub", x -> x[0].sub(x[1]));
        op("sub_scalar", x -> x[0].sub(1.25));
        op("rsub_scalar", x -> x[0].rsub(2.0));
        op("mul", x -> x[0].mul(x[1]));
        op("mul_scalar", x -> x[0].mul(-3.0));
        op("div", x -> x[0].div(x[1]));
        op("div_scalar", x -> x[0].div(4.0));
        op("div_int_true", x -> x[0].div(x[1]));
        op("pow_scalar", x -> x[0].pow(1.7));
        op("pow_tensor", x -> x[0].pow(x[1]));
        op("remainder", x -> x[0].remainder(1.5));
        op("maximum", x -> x[0].maximum(x[1]));
        op("minimum", x -> x[0].minimum(x[1]));
        op("clamp", x -> x[0].clamp(-0.5, 0.5));
        op("clamp_min", x -> x[0].clampMin(0.1));
        op("clamp_max", x -> x[0].clampMax(0.1));
        op("neg", x -> x[0].neg());
        op("abs", x -> x[0].abs());
        op("float64_mul", x -> x[0].mul(x[1]));

        op("exp", x -> x[0].exp());
        op("sin", x -> x[0].sin());
        op("cos", x -> x[0].cos());
        op("tanh", x -> x[0].tanh());
        op("sigmoid", x -> x[0].sigmoid());
        op("relu", x -> x[0].relu());
        op("erf", x -> x[0].erf());
        op("square", x -> x[0].square());
        op("log", x -> x[0].log());
        op("log1p", x -> x[0].log1p());
        op("sqrt", x -> x[0].sqrt());
        op("rsqrt", x -> x[0].rsqrt());
        op("reciprocal", x -> x[0].reciprocal());
        op("floor", x -> x[0].floor());
        op("ceil", x -> x[0].ceil());
        op("round", x -> x[0].round());
        op("sign", x -> x[0].sign());
        op("gelu", x -> x[0].gelu());
        op("gelu_tanh", x -> x[0].gelu("tanh"));
        op("silu", x -> x[0].silu());

        op("matmul_2d", x -> x[0].matmul(x[1]));
        op("matmul_batched_broadcast", x -> x[0].matmul(x[1]));
        op("matmul_vec", x -> x[0].matmul(x[1]));
        op("mm", x -> x[0].mm(x[1]));
        op("bmm", x -> x[0].bmm(x[1]));
        op("dot", x -> x[0].dot(x[1]));
        op("outer", x -> x[0].outer(x[1]));
        op("t", x -> x[0].t());
        op("mT", x -> x[0].mT());
        op("norm", x -> x[0].norm());
        op("norm_p1", x -> x[0].norm(1));
        op("tril", x -> x[0].tril(0));
        op("triu_1", x -> x[0].triu(1));
        op("einsum_bmm", x -> Torch.einsum("bij,bjk->bik", x[0], x[1]));

        op("sum", x -> x[0].sum());
        op("sum_dim", x -> x[0].sum(1));
        op("sum_dims_keepdim", x -> x[0].sum(new long[] {0, 2}, true));
        op("sum_int", x -> x[0].sum());
        op("mean", x -> x[0].mean());
        op("mean_dim_keepdim", x -> x[0].mean(-1, true));
        op("prod_dim", x -> x[0].prod(1, false));
        op("max_all", x -> x[0].max());
        op("min_all", x -> x[0].min());
        op("max_dim_values", x -> x[0].max(1, false).values());
        op("max_dim_indices", x -> x[0].max(1, false).indices());
        op("min_dim_keepdim_values", x -> x[0].min(0, true).values());
        op("amax", x -> x[0].amax(new long[] {0, 1}, false));
        op("argmax", x -> x[0].argmax());
        op("argmax_dim", x -> x[0].argmax(1, false));
        op("argmin_dim_keepdim", x -> x[0].argmin(0, true));
        op("var", x -> x[0].var());
        op("var_dim_biased", x -> x[0].var(new long[] {1}, false, false));
        op("std", x -> x[0].std());
        op("std_dim_keepdim", x -> x[0].std(new long[] {0}, true, true));
        op("logsumexp", x -> x[0].logsumexp(new long[] {1}, false));
        op("cumsum", x -> x[0].cumsum(1));
        op("softmax", x -> x[0].softmax(-1));
        op("log_softmax", x -> x[0].logSoftmax(1));
        op("softmax_dim0", x -> x[0].softmax(0));
        op("topk_values", x -> x[0].topk(2, 1, true).values());
        op("topk_indices", x -> x[0].topk(2, 1, true).indices());
        op("topk_smallest_values", x -> x[0].topk(2, 1, false).values());
        op("sort_values", x -> x[0].sort(1, false).values());
        op("sort_desc_indices", x -> x[0].sort(1, true).indices());

        op("view", x -> x[0].view(4, 3));
        op("view_infer", x -> x[0].view(-1, 2));
        op("reshape_noncontig", x -> x[0].t().reshape(12));
        op("permute", x -> x[0].permute(2, 0, 1));
        op("transpose", x -> x[0].transpose(0, 2));
        op("contiguous", x -> x[0].transpose(0, 1).contiguous());
        op("squeeze", x -> x[0].squeeze());
        op("squeeze_dim", x -> x[0].squeeze(2));
        op("unsqueeze", x -> x[0].unsqueeze(1));
        op("expand", x -> x[0].expand(2, 3, 4));
        op("flatten", x -> x[0].flatten());
        op("flatten_range", x -> x[0].flatten(1, 2));
        op("unflatten", x -> x[0].unflatten(1, 2, 3));
        op("narrow", x -> x[0].narrow(1, 1, 2));
        op("repeat", x -> x[0].repeat(2, 1, 3));
        op("flip", x -> x[0].flip(0, 1));
        op("cat", x -> Torch.cat(List.of(x[0], x[1]), 1));
        op("stack", x -> Torch.stack(List.of(x[0], x[1]), 0));
        op("split_size", x -> x[0].split(2, 1));
        op("split_sizes", x -> x[0].split(new long[] {1, 4}, 1));
        op("chunk", x -> x[0].chunk(3, 0));
        op("unbind", x -> x[0].unbind(1));

        op("slice_step", x -> x[0].slice(1, 1, 5, 2));
        op("select", x -> x[0].select(1, 2));
        op("select_negative", x -> x[0].select(0, -1));
        op("index_select", x -> x[0].indexSelect(0, x[1]));
        op("gather", x -> x[0].gather(1, x[1]));
        op("scatter", x -> x[0].scatter(1, x[1], x[2]));
        op("scatter_value", x -> x[0].scatter(0, x[1], 7.5));
        op("scatter_add", x -> x[0].scatterAdd(1, x[1], x[2]));
        op("masked_fill", x -> x[0].maskedFill(x[1], -1e9));
        op("masked_fill_broadcast", x -> x[0].maskedFill(x[1], 0.0));
        op("masked_select", x -> x[0].maskedSelect(x[1]));
        op("where", x -> Torch.where(x[0], x[1], x[2]));
        op("nonzero", x -> x[0].nonzero());
        op("bool_index", x -> x[0].index(x[0].gt(0)));
        op("long_index", x -> x[0].index(x[1]));
        op("index_str", x -> x[0].index("1:3, ::2, None, ..., -1"));
        op("index_str_int_first", x -> x[0].index("-1, :, 1"));

        op("eq", x -> x[0].eq(x[1]));
        op("ne", x -> x[0].ne(x[1]));
        op("lt", x -> x[0].lt(x[1]));
        op("le", x -> x[0].le(x[1]));
        op("gt", x -> x[0].gt(x[1]));
        op("ge", x -> x[0].ge(x[1]));
        op("gt_scalar", x -> x[0].gt(0.25));
        op("logical_and", x -> x[0].logicalAnd(x[1]));
        op("logical_or", x -> x[0].logicalOr(x[1]));
        op("logical_not", x -> x[0].logicalNot());
        op("any", x -> x[0].any());
        op("all", x -> x[0].all());

        op("to_int64", x -> x[0].to(DType.INT64));
        op("to_float64", x -> x[0].to(DType.FLOAT64));
        op("to_bool", x -> x[0].to(DType.BOOL));
        op("int_to_float", x -> x[0].to(DType.FLOAT32));

        op("add_", x -> x[0].clone().add_(x[1]));
        op("add_alpha_", x -> x[0].clone().add_(x[1], -2.0));
        op("mul_", x -> x[0].clone().mul_(x[1]));
        op("mul_scalar_", x -> x[0].clone().mul_(0.5));
        op("sub_", x -> x[0].clone().sub_(x[1]));
        op("div_", x -> x[0].clone().div_(x[1]));
        op("addcmul_", x -> x[0].clone().addcmul_(x[1], x[2], 0.3));
        op("addcdiv_", x -> x[0].clone().addcdiv_(x[1], x[2], -0.7));
        op("lerp_", x -> x[0].clone().lerp_(x[1], 0.25));
        op("clamp_", x -> x[0].clone().clamp_(-0.2, 0.3));
        op("fill_", x -> x[0].clone().fill_(3.5));
        op("zero_", x -> x[0].clone().zero_());
        op("copy_broadcast", x -> x[0].clone().copy_(x[1]));
        op("masked_fill_", x -> x[0].clone().maskedFill_(x[1], 2.0));

        op("arange", x -> Torch.arange(7));
        op("arange_start_step", x -> Torch.arange(2, 11, 3));
        op("arange_float", x -> Torch.arange(0.5, 2.0, 0.25));
        op("linspace", x -> Torch.linspace(-1, 1, 9));
        op("eye", x -> Torch.eye(3, 4));
        op("full", x -> Torch.full(new long[] {2, 3}, 1.5));
        op("seeded_randn", x -> { Torch.manualSeed(7); return Torch.randn(20); });
        op("seeded_rand", x -> { Torch.manualSeed(7); return Torch.rand(20); });
        op("seeded_randint", x -> { Torch.manualSeed(7); return Torch.randint(0, 10, 12); });
        op("seeded_randperm", x -> { Torch.manualSeed(7); return Torch.randperm(10); });
        op("index_copy", x -> x[0].clone().indexCopy_(0, x[1], x[2]));
    }

    @Test
    void fixtureWasMadeByPyTorchAndEveryCaseHasAJavaOp() {
        assertTrue(FIXTURE.get("torch_version").asText().startsWith("1.13"), "fixtures come from PyTorch 1.13");
        List<String> missing = new ArrayList<>();
        for (JsonNode c : FIXTURE.get("cases")) if (!OPS.containsKey(c.get("name").asText())) missing.add(c.get("name").asText());
        assertEquals(List.of(), missing, "fixture cases without a Java op");
        assertEquals(FIXTURE.get("cases").size(), OPS.size(), "Java ops without a fixture case");
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : FIXTURE.get("cases")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> runCase(name, c)));
        }
        return tests.stream();
    }

    @SuppressWarnings("unchecked")
    private static void runCase(String name, JsonNode c) {
        Function<Tensor[], Object> f = OPS.get(name);
        assertNotNull(f, "no Java op for fixture case " + name);
        boolean withGrads = c.has("grads");
        try (Scope s = Torch.scope()) {
            JsonNode ins = c.get("inputs");
            Tensor[] inputs = new Tensor[ins.size()];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = Fixtures.tensor(ins.get(i));
                if (withGrads && inputs[i].isFloatingPoint()) inputs[i].requiresGrad_();
            }
            Object result = f.apply(inputs);
            List<Tensor> outs = result instanceof List<?> l ? (List<Tensor>) l : List.of((Tensor) result);
            JsonNode expected = c.get("outputs");
            assertEquals(expected.size(), outs.size(), name + ": number of outputs");
            for (int i = 0; i < outs.size(); i++) Fixtures.assertClose(expected.get(i), outs.get(i), name + " output " + i);
            if (withGrads) {
                Tensor w = Fixtures.tensor(c.get("weight"));
                outs.get(0).mul(w).sum().backward();
                JsonNode grads = c.get("grads");
                for (int i = 0; i < inputs.length; i++) {
                    JsonNode g = grads.get(i);
                    if (g == null || g.isNull()) continue;
                    Tensor got = inputs[i].grad();
                    assertNotNull(got, name + ": input " + i + " has no gradient");
                    Fixtures.assertClose(g, got, name + " grad " + i);
                }
            }
        }
    }
}
