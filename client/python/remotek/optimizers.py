"""Keras 2.3's optimizers as update lists over a RemoteK session.

    from remotek import backend as K, optimizers
    loss = K.mean(K.categorical_crossentropy(y, p))
    updates = optimizers.Adam(learning_rate=0.05).get_updates(loss, params)
    train = K.function([x, y], [loss], updates=updates)
    for _ in range(steps):
        train([xs, ys])

get_updates builds, in the session of ``loss``, the gradient nodes (K.gradients),
the optimizer's slot variables (an ``iterations`` counter, zeros shaped like
each parameter) and the new values, and returns (variable, new value) pairs
for K.function(updates=...). Each call of that function then takes one step
on the server, atomically; clear_session drops it all.
"""
from remotek import ops as _ops
from remotek.symbolic import Tensor


class Optimizer:
    """Base: keeps Keras's ``iterations``, ``updates``, ``weights``, ``get_gradients``
    and ``get_config``. ``lr`` is accepted as the old name of ``learning_rate``."""

    def __init__(self, learning_rate, **kwargs):
        learning_rate = kwargs.pop("lr", learning_rate)
        if kwargs:
            raise TypeError("Unexpected keyword argument passed to optimizer: %s"
                            % ", ".join(sorted(kwargs)))
        self.learning_rate = float(learning_rate)
        self.iterations = None
        self.updates = []
        self.weights = []

    @property
    def lr(self):
        return self.learning_rate

    def get_gradients(self, loss, params):
        """K.gradients, refusing params without a gradient as Keras does."""
        if not isinstance(loss, Tensor):
            raise TypeError("remotek: optimizer: loss must be a Tensor, got %r" % (loss,))
        params = list(params)
        if not params:
            raise ValueError("remotek: optimizer: params is empty")
        grads = loss.session.gradients(loss, params)
        for p, g in zip(params, grads):
            if g is None:
                raise ValueError(
                    "An operation has `None` for gradient: loss does not depend on %r "
                    "through differentiable ops. Please make sure that all of your ops "
                    "have a gradient defined (i.e. are differentiable)." % p.name)
        return grads

    def _start(self, loss):
        session = loss.session
        self.iterations = session.variable(0, dtype="int64", name=None)
        self.updates = [_ops.update_add(self.iterations, 1)]
        return session

    def get_updates(self, loss, params):
        raise NotImplementedError

    def get_config(self):
        return {"learning_rate": self.learning_rate}


class SGD(Optimizer):
    """keras.optimizers.SGD: velocity v' = momentum * v - lr * g; p' = p + v'
    (nesterov: p + momentum * v' - lr * g)."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        session = self._start(loss)
        moments = [session.zeros(p.shape, dtype=p.dtype) for p in params]
        self.weights = [self.iterations] + moments
        lr = self.learning_rate
        for p, g, m in zip(params, grads, moments):
            v = self.momentum * m - lr * g
            self.updates.append(_ops.update(m, v))
            new_p = p + self.momentum * v - lr * g if self.nesterov else p + v
            self.updates.append(_ops.update(p, new_p))
        return self.updates

    def get_config(self):
        return dict(super().get_config(), momentum=self.momentum, nesterov=self.nesterov)


class Adam(Optimizer):
    """keras.optimizers.Adam (amsgrad=False), with bias correction through
    ``iterations``: t = iterations + 1,
    lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t),
    m' = beta_1 m + (1 - beta_1) g, v' = beta_2 v + (1 - beta_2) g**2,
    p' = p - lr_t m' / (sqrt(v') + epsilon)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=None,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = epsilon

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        session = self._start(loss)
        epsilon = self.epsilon if self.epsilon is not None else session.epsilon()
        t = _ops.cast(self.iterations, loss.dtype) + 1.0
        lr_t = self.learning_rate * (_ops.sqrt(1.0 - _ops.pow(self.beta_2, t)) /
                                     (1.0 - _ops.pow(self.beta_1, t)))
        ms = [session.zeros(p.shape, dtype=p.dtype) for p in params]
        vs = [session.zeros(p.shape, dtype=p.dtype) for p in params]
        self.weights = [self.iterations] + ms + vs
        for p, g, m, v in zip(params, grads, ms, vs):
            m_t = self.beta_1 * m + (1.0 - self.beta_1) * g
            v_t = self.beta_2 * v + (1.0 - self.beta_2) * _ops.square(g)
            p_t = p - lr_t * m_t / (_ops.sqrt(v_t) + epsilon)
            self.updates.append(_ops.update(m, m_t))
            self.updates.append(_ops.update(v, v_t))
            self.updates.append(_ops.update(p, p_t))
        return self.updates

    def get_config(self):
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2,
                    epsilon=self.epsilon)
