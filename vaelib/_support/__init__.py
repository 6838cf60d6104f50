"""Support for the whole library, used by every layer above it; nothing here is a chapter's topic.

- `checks`: the validation layer, the argument checks every public function runs first;
- `device`: `pick_device` and `available_devices` (`VAELIB_DEVICE`), every chapter's opening cell;
- `seeding`: `seed_everything`, `seeded_generator` and the realisation `VAELIB_SEED` selects.

The public names are used as `vaelib.pick_device`, `vaelib.seed_everything`, … .
"""
