"""The contract's executable model, and how a server's answers are compared with it.

- `oracle`: the model itself: the reference mock's application over an in-memory store, driven
  in-process. The decisions' behaviour (D1-D37) is written once, in vpbx_mock; the oracle is
  that code, so the mock and the oracle cannot disagree.
- `freedoms`: what a conforming server may do differently from the model (ids of its own,
  listing order, 400 or 422, its own messages, fields of its own, a `state` that moves on its
  own...), written once as the comparison of an answer with the model's.
- `linearizable`: whether the answers to requests sent at once are those of some order of
  them in the model (a small-history linearizability check).
"""
