package dev.torch4j.optim;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.torch4j.Fixtures;
import dev.torch4j.Tensor;

/**
 * The least-squares problem of optim_trajectories.json (tests/fixtures/gen_optim.py) and optimizers built
 * from a config's PyTorch group dicts through the fluent options API.
 */
final class OptimFixtures {
    private OptimFixtures() {}

    static final JsonNode TRAJECTORIES = Fixtures.load("optim_trajectories.json");

    /** W[3,4], b[4], unused[2] as fresh leaf tensors that require grad; x[6,3], y[6,4]. */
    static final class Problem implements AutoCloseable {
        final Tensor x = Fixtures.tensor(TRAJECTORIES.get("x"));
        final Tensor y = Fixtures.tensor(TRAJECTORIES.get("y"));
        final Tensor w = Fixtures.tensor(TRAJECTORIES.get("W0")).requiresGrad_();
        final Tensor b = Fixtures.tensor(TRAJECTORIES.get("b0")).requiresGrad_();
        final Tensor unused = Fixtures.tensor(TRAJECTORIES.get("unused0")).requiresGrad_();

        /** loss = ((x @ W + b - y)^2).mean(), backpropagated; returns the loss value. */
        double lossBackward() {
            try (Tensor xw = x.matmul(w); Tensor z = xw.add(b); Tensor d = z.sub(y); Tensor sq = d.square();
                 Tensor loss = sq.mean()) {
                loss.backward();
                return loss.item();
            }
        }

        @Override
        public void close() {
            for (Tensor t : List.of(x, y, w, b, unused)) t.close();
        }
    }

    /** The optimizer of {@code config} over [W] (group 0) and [b, unused] (group 1, added with addParamGroup). */
    static Optimizer<?> build(JsonNode config, Problem p) {
        JsonNode g0 = config.get("groups").get(0), g1 = config.get("groups").get(1);
        switch (config.get("optimizer").asText()) {
            case "SGD" -> {
                SGD o = new SGD(List.of(p.w), sgd(g0));
                o.addParamGroup(List.of(p.b, p.unused), sgd(g1));
                return o;
            }
            case "Adam" -> {
                Adam o = new Adam(List.of(p.w), adam(g0));
                o.addParamGroup(List.of(p.b, p.unused), adam(g1));
                return o;
            }
            case "AdamW" -> {
                AdamW o = new AdamW(List.of(p.w), adamW(g0));
                o.addParamGroup(List.of(p.b, p.unused), adamW(g1));
                return o;
            }
            case "RMSprop" -> {
                RMSprop o = new RMSprop(List.of(p.w), rmsprop(g0));
                o.addParamGroup(List.of(p.b, p.unused), rmsprop(g1));
                return o;
            }
            case "Adagrad" -> {
                Adagrad o = new Adagrad(List.of(p.w), adagrad(g0));
                o.addParamGroup(List.of(p.b, p.unused), adagrad(g1));
                return o;
            }
            default -> throw new IllegalArgumentException("fixture optimizer " + config.get("optimizer"));
        }
    }

    static SGDOptions sgd(JsonNode g) {
        return new SGDOptions(g.get("lr").asDouble()).momentum(g.get("momentum").asDouble())
                .dampening(g.get("dampening").asDouble()).weightDecay(g.get("weight_decay").asDouble())
                .nesterov(g.get("nesterov").asBoolean()).maximize(g.get("maximize").asBoolean());
    }

    static AdamOptions adam(JsonNode g) {
        return new AdamOptions(g.get("lr").asDouble()).betas(g.get("betas").get(0).asDouble(), g.get("betas").get(1).asDouble())
                .eps(g.get("eps").asDouble()).weightDecay(g.get("weight_decay").asDouble())
                .amsgrad(g.get("amsgrad").asBoolean()).maximize(g.get("maximize").asBoolean());
    }

    static AdamWOptions adamW(JsonNode g) {
        return new AdamWOptions(g.get("lr").asDouble()).betas(g.get("betas").get(0).asDouble(), g.get("betas").get(1).asDouble())
                .eps(g.get("eps").asDouble()).weightDecay(g.get("weight_decay").asDouble())
                .amsgrad(g.get("amsgrad").asBoolean()).maximize(g.get("maximize").asBoolean());
    }

    static RMSpropOptions rmsprop(JsonNode g) {
        return new RMSpropOptions(g.get("lr").asDouble()).alpha(g.get("alpha").asDouble()).eps(g.get("eps").asDouble())
                .weightDecay(g.get("weight_decay").asDouble()).momentum(g.get("momentum").asDouble())
                .centered(g.get("centered").asBoolean()).maximize(g.get("maximize").asBoolean());
    }

    static AdagradOptions adagrad(JsonNode g) {
        return new AdagradOptions(g.get("lr").asDouble()).lrDecay(g.get("lr_decay").asDouble())
                .weightDecay(g.get("weight_decay").asDouble())
                .initialAccumulatorValue(g.get("initial_accumulator_value").asDouble()).eps(g.get("eps").asDouble())
                .maximize(g.get("maximize").asBoolean());
    }

    static JsonNode config(String name) {
        for (JsonNode c : TRAJECTORIES.get("configs"))
            if (c.get("name").asText().equals(name)) return c;
        throw new IllegalArgumentException("no config " + name);
    }
}
