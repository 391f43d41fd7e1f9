"""The exercise's published figures, in one place for every test.

Facts from the course's "Initialization" notebook (Improving Deep Neural Networks, week 1): the
weights it prints after ``np.random.seed(3)`` (eight decimals; ``[2, 4, 1]`` in the older
edition, ``[3, 1, 2]`` in the newer one), the cost it prints for He at iteration 0, and its table
of train / test accuracies after 15,000 steps at learning rate 0.01 on the ``[2, 10, 5, 1]``
ReLU model. Tests compare with them; nothing in the product reads this file.
"""

from __future__ import annotations

import math

PRINTED_PRECISION = 1e-8  # the notebook prints eight decimals

RANDOM_3_2_1 = {
    "W1": [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]],
    "W2": [[-0.82741481, -6.27000677]],
    "b1": [[0.0], [0.0]],
    "b2": [[0.0]],
}
HE_2_4_1 = {
    "W1": [
        [1.78862847, 0.43650985],
        [0.09649747, -1.8634927],
        [-0.2773882, -0.35475898],
        [-0.08274148, -0.62700068],
    ],
    "W2": [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]],
    "b1": [[0.0], [0.0], [0.0], [0.0]],
    "b2": [[0.0]],
}
HE_3_1_2 = {
    "W1": [[1.46040903, 0.3564088, 0.07878985]],
    "W2": [[-2.63537665], [-0.39228616]],
    "b1": [[0.0]],
    "b2": [[0.0], [0.0]],
}

HE_COST_AT_STEP_0 = 0.8830537463419761  # the first cost printed while training from He
ZEROS_COST = math.log(2)  # answering 0.5 everywhere; printed as 0.6931471805599453 at every step

# (train, test) accuracy per initialization
ACCURACY = {
    "zeros": (0.5, 0.5),
    "random": (0.83, 0.86),
    "he": (298 / 300, 0.96),  # printed as 0.9933333333333333
    "xavier": (0.99, 0.93),
}
