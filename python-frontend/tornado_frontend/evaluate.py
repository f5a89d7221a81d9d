"""Accuracy of a model on device-integer data, in whatever mode the model is in."""
import numpy as np
import torch

from .layers import layers_of, to_model_input


def predict(model, x_int, batch_size=500):
    """Class predictions (argmax of the last layer) for integer inputs [N, C, H, W]."""
    layer_list = layers_of(model)
    mode = layer_list[0][1].mode if layer_list else 'float'
    model.eval()
    preds = []
    with torch.no_grad():
        for i in range(0, len(x_int), batch_size):
            x = to_model_input(x_int[i:i + batch_size], mode)
            preds.append(model(x).argmax(dim=1).cpu().numpy())
    return np.concatenate(preds) if preds else np.zeros(0, dtype=np.int64)


def accuracy(model, x_int, labels, batch_size=500):
    """Top-1 accuracy in percent."""
    preds = predict(model, x_int, batch_size)
    return 100.0 * float(np.mean(preds == np.asarray(labels)))
