"""Started at interpreter start-up by tttrack-hook.pth (installed with the wheel): when the
program imports ttnn, the TT-Metal shim of this wheel is loaded into the process right after, so its
device memory is tracked with no LD_PRELOAD and no change to the program. Costs one entry on
sys.meta_path until ttnn is imported; never stops an import. `pip uninstall tttrack` removes it."""
import sys

_SHIM = "libtttrack-ttmetal.so"


class _AttachAfter:
    """ttnn's own loader, then the shim; the finder leaves once ttnn has been loaded."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):  # everything else (resources, is_package...) as ttnn's loader has it
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        # Rebound, not changed in place: another thread may be walking the list.
        sys.meta_path = [f for f in sys.meta_path if f is not _Finder]
        _attach()


class _Finder:
    """Finds nothing itself: hands ttnn's spec back with the loader wrapped. It stays until ttnn is
    loaded, since a program may only ask whether ttnn exists (importlib.util.find_spec) first."""

    _looking = False

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "ttnn" or cls._looking:
            return None
        import importlib.util

        cls._looking = True  # the lookup below comes through here again
        try:
            spec = importlib.util.find_spec(name)
        finally:
            cls._looking = False
        if spec is not None and spec.loader is not None:
            spec.loader = _AttachAfter(spec.loader)
        return spec


def _attach():
    """Attach the shim now that libtt_metal.so is in: the one already loaded (LD_PRELOAD, or by
    tttrack.usage()), else the wheel's."""
    try:
        from tttrack import shim

        shim().tt_track_shim_attach()
    except OSError as e:
        print(f"tt-track: cannot load the TT-Metal shim ({e}); not tracking", file=sys.stderr)


if "ttnn" not in sys.modules and _Finder not in sys.meta_path:
    sys.meta_path.insert(0, _Finder)
