// Generated from params.yaml by scripts/default-params.ts (npm run params:defaults). Do not edit: change
// params.yaml and rerun; training/test/config/default-params.test.ts fails while this file is stale.
import type { Params } from './params';

export const DEFAULT_PARAMS: Params = {
  "data": {
    "source": "gdrive:1z0mreUtRmR-P-magILsDR3T7M6IkGXtY",
    "sha256": null,
    "labels": null,
    "dicomweb_cache": null,
    "classes": [
      "adenocarcinoma",
      "normal"
    ],
    "split_mode": "ratios",
    "split_ratios": {
      "train": 0.7,
      "val": 0.15,
      "test": 0.15
    },
    "seed": 42,
    "near_duplicate_bits": 4,
    "prepared_dir": "data/prepared",
    "sources": null,
    "hold_out_source": null
  },
  "preprocess": {
    "body_crop": true,
    "intensity": "body-equalize"
  },
  "model": {
    "weights": "imagenet",
    "image_size": 224,
    "head": "flatten",
    "dropout": 0,
    "fine_tune_from": null
  },
  "train": {
    "epochs": 10,
    "batch_size": 16,
    "learning_rate": 0.01,
    "optimizer": "sgd",
    "class_weights": false,
    "augment": true,
    "augment_views": 4,
    "early_stopping_patience": 3,
    "workers": 2
  },
  "evaluate": {
    "min_sensitivity": 0.95,
    "bootstrap": 1000
  },
  "export": {
    "dtype": "float16",
    "shard_size_mb": 4,
    "out_dir": "public/model"
  },
  "validate": {
    "sets": []
  }
};
