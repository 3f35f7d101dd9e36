"""Datasets: bundled tables (``load_*``), cached downloads (``fetch_*``/``load_*(download=True)``)
and small synthetic generators (``make_*``)."""

from deepmine.datasets._credit import load_credit, make_m_of_n
from deepmine.datasets._timeseries import (UCR_DATASETS, load_airline, load_arrow_head,
                                           load_basic_motions, load_gunpoint,
                                           load_italy_power_demand, load_japanese_vowels,
                                           load_lynx, load_osuleaf, load_shampoo_sales, load_ucr,
                                           read_ts)

__all__ = ["load_credit", "make_m_of_n"]
__all__ += ["UCR_DATASETS", "load_airline", "load_arrow_head", "load_basic_motions", "load_gunpoint",
            "load_italy_power_demand", "load_japanese_vowels", "load_lynx", "load_osuleaf",
            "load_shampoo_sales", "load_ucr", "read_ts"]
from deepmine.datasets._images import load_digits_images, load_image_folder  # noqa: E402
from deepmine.datasets._mnist import load_mnist, read_idx  # noqa: E402

__all__ += ["load_digits_images", "load_mnist", "load_image_folder", "read_idx"]
from deepmine.datasets._rdf import load_mutag  # noqa: E402

__all__ += ["load_mutag"]
from deepmine.datasets._outliers import load_outlier_file, make_cancer_outliers  # noqa: E402

__all__ += ["load_outlier_file", "make_cancer_outliers"]
from deepmine.datasets._assets import (ASSETS, TOUR_ASSETS, asset_path, download,  # noqa: E402
                                       is_cached, list_assets)

__all__ += ["ASSETS", "TOUR_ASSETS", "asset_path", "download", "is_cached", "list_assets"]
