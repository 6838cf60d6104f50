"""pytest set-up for the whole repository: the chapters run on the CPU under pytest.

The outputs stored in the notebooks were computed on a CPU, and a GPU gives slightly different
numbers, so `pytest --nbval` on a machine with CUDA would fail. Jupyter kernels that nbval starts
inherit this process's environment, so setting `VAELIB_DEVICE=cpu` here (read by
`vaelib.pick_device`) makes every chapter, and every test, run on the CPU. To test on a GPU
anyway, set the variable yourself: `VAELIB_DEVICE=cuda pytest --nbval tests notebooks/`.
A reader in Jupyter or Colab never runs this file and still gets the GPU.
"""

import os

# vaelib.device.DEVICE_ENV_VAR, spelled out so that collecting tests does not import vaelib.
os.environ.setdefault("VAELIB_DEVICE", "cpu")
